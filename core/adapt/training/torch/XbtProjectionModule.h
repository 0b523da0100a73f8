#pragma once
// phi's two-part map as a trainable module (see ../shared/METHODS.md):
//   normalize(A z + W2 gelu(W1 z + b1) + b2)
// A starts from a closed-form fit and W2, b2 at zero, so training starts
// exactly at the closed-form map and the MLP learns only what it misses.
// FCT's gallery transform h has the same form and uses this module too.

#include "core/adapt/CompatibilityAdapter.h"

#include <torch/torch.h>

#include <functional>
#include <vector>

namespace xbt {

struct XbtProjectionImpl : torch::nn::Module {
    // `linear` is A [d_out, d_in]; hidden 0 leaves out the MLP. W1 and b1 are
    // drawn from a generator of `seed`, so the start does not depend on
    // torch's global random state.
    XbtProjectionImpl(const Matrix& linear, int64_t hidden, uint64_t seed);
    // Loads saved weights (e.g. stage 1's phi).
    explicit XbtProjectionImpl(const ProjectionWeights& weights);

    torch::Tensor forward(const torch::Tensor& z);       // L2-normalised rows
    torch::Tensor unnormalized(const torch::Tensor& z);  // A z + B(z)
    // The same map with no gradient into phi's own weights (gradients still
    // flow into z): lets one loss term train only what produced z.
    torch::Tensor forwardFixedWeights(const torch::Tensor& z);
    ProjectionWeights weights() const;

    torch::Tensor linear;
    torch::nn::Linear hidden{nullptr}, out{nullptr};
};
TORCH_MODULE(XbtProjection);

// Maps rows of a Matrix through a module without gradients, in chunks.
Matrix applyWithoutGrad(const std::function<torch::Tensor(const torch::Tensor&)>& map, const Matrix& rows,
                        const torch::Device& device);

// Helpers to move the engine's vectors in and out of tensors.
std::vector<float> toVector(const torch::Tensor& t);
torch::Tensor fromVector(const std::vector<float>& v);

}  // namespace xbt

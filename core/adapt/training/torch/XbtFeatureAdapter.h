#pragma once
// Stage 2's image side for models whose layers the engine does not own
// (TorchScript archives): a residual adapter on the new image embedding,
//   z' = normalize(z + U gelu(V z + c) + d),  U and d starting at zero,
// so stage 2 starts from the unchanged embedding.

#include "core/adapt/training/torch/XbtImageSide.h"

namespace xbt {

struct XbtFeatureAdapterImpl : torch::nn::Module {
    XbtFeatureAdapterImpl(int64_t dims, int64_t hidden, uint64_t seed);
    torch::Tensor forward(const torch::Tensor& z);
    FeatureAdapterWeights weights() const;
    torch::nn::Linear down{nullptr}, up{nullptr};
};
TORCH_MODULE(XbtFeatureAdapter);

// The feature adapter over precomputed new image embeddings (rows of the
// training and validation images).
std::unique_ptr<XbtImageSide> makeFeatureImageSide(const Matrix& trainImages, const Matrix& validationImages,
                                                   int64_t hidden, uint64_t seed, const torch::Device& device);

}  // namespace xbt

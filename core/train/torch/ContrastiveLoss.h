#pragma once
// The contrastive loss every trainer of the project uses. Includes torch:
// .cpp files only.

#include <torch/torch.h>

namespace xbt {

// Symmetric InfoNCE over a batch whose row i of `a` and `b` match: the mean
// of the cross-entropies of a b^T * exp(logitScale) and of its transpose.
torch::Tensor symmetricInfoNce(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& logitScale);

}  // namespace xbt

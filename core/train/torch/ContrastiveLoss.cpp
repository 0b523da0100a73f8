#include "core/train/torch/ContrastiveLoss.h"

namespace xbt {

torch::Tensor symmetricInfoNce(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& logitScale)
{
    const auto logits = logitScale.exp() * torch::matmul(a, b.t());
    const auto target = torch::arange(a.size(0), torch::TensorOptions().dtype(torch::kLong).device(a.device()));
    return 0.5 * (torch::nn::functional::cross_entropy(logits, target) +
                  torch::nn::functional::cross_entropy(logits.t(), target));
}

}  // namespace xbt

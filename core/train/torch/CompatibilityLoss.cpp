#include "core/train/torch/CompatibilityLoss.h"

#include "core/train/torch/ContrastiveLoss.h"

#include "core/model/torch/TorchTensors.h"
#include "core/util/Error.h"

#include <cmath>

namespace xbt {

namespace F = torch::nn::functional;

CompatibilityLossImpl::CompatibilityLossImpl(const SampleCompatibilityConfig& cfg, int64_t embeddingDim,
                                             const CompatibilityTargets& targets, const torch::Device& device)
    : config(cfg), oldDims(targets.oldImages.cols)
{
    if (targets.oldImages.rows == 0 || targets.oldTexts.rows == 0)
        throw Error("compatible training needs the old model's embeddings of the training set (internal error)");
    const int64_t expected = cfg.method == "bct" ? oldDims : oldDims + cfg.extraDims;
    if (embeddingDim != expected)
        throw Error("embedding_dim is " + std::to_string(embeddingDim) + ", but " + cfg.method + " against a " +
                    std::to_string(oldDims) + "-d old model needs " + std::to_string(expected) +
                    (cfg.method == "bct" ? " (the old model's size)" : " (old dims + extra_dims)"));
    logitScale = register_parameter("logit_scale", torch::full({1}, std::log(1.0 / 0.07)));
    oldImages = fromMatrix(targets.oldImages, device);
    oldTexts = fromMatrix(targets.oldTexts, device);
    if (cfg.method != "bct") {
        if (targets.referenceImages.cols != embeddingDim)
            throw Error("the reference model makes " + std::to_string(targets.referenceImages.cols) +
                        "-d embeddings, but the compatible model's are " + std::to_string(embeddingDim) +
                        "-d: choose extra_dims so that old dims + extra_dims equal the reference model's");
        referenceImages = fromMatrix(targets.referenceImages, device);
        referenceTexts = fromMatrix(targets.referenceTexts, device);
    }
    if (cfg.method == "oca")
        orthogonal = register_module("orthogonal", OrthogonalLinear(embeddingDim, 23));
    to(device);
}

torch::Tensor CompatibilityLossImpl::oldComparable(const torch::Tensor& embeddings) const
{
    if (config.method == "bct")
        return embeddings;
    return F::normalize(embeddings.narrow(1, 0, oldDims), F::NormalizeFuncOptions().dim(1));
}

torch::Tensor CompatibilityLossImpl::forward(const torch::Tensor& imageEmb, const torch::Tensor& textEmb,
                                             const torch::Tensor& imageIndex, const torch::Tensor& captionIndex)
{
    const auto batchOldImages = oldImages.index_select(0, imageIndex);
    const auto batchOldTexts = oldTexts.index_select(0, captionIndex);
    const auto influence = 0.5 * (symmetricInfoNce(oldComparable(textEmb), batchOldImages, logitScale) +
                                  symmetricInfoNce(oldComparable(imageEmb), batchOldTexts, logitScale));
    auto loss = config.weight * influence;
    if (config.method != "bct") {
        const auto toReference = [&](const torch::Tensor& e) {
            return orthogonal ? F::normalize(orthogonal(e), F::NormalizeFuncOptions().dim(1)) : e;
        };
        const auto cosineLoss = [](const torch::Tensor& a, const torch::Tensor& b) { return (1.0 - (a * b).sum(1)).mean(); };
        const auto reference = 0.5 * (cosineLoss(toReference(imageEmb), referenceImages.index_select(0, imageIndex)) +
                                      cosineLoss(toReference(textEmb), referenceTexts.index_select(0, captionIndex)));
        loss = loss + config.referenceWeight * reference;
    }
    return loss;
}

}  // namespace xbt

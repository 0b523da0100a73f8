#pragma once
// The extra objective of a compatible new model (BCT, BT^2, OCA; the
// cross-modal forms are written down in docs/compatibility.md). Includes
// torch: for core/train's .cpp files only.
//
// - Influence of the frozen old model, cross-modal: the new model's text
//   embeddings are contrasted with the old model's image embeddings of the
//   batch, and its image embeddings with the old model's text embeddings
//   (symmetric InfoNCE each, with a temperature of its own). What is
//   compared is the new vector's old-comparable part: the whole vector
//   (bct) or its first d_old dims, renormalised (bt2, oca).
// - bt2 and oca: the whole vector is also pulled (cosine) onto an
//   independently trained new model's embedding of the same image or text,
//   so the extra dims carry what the new model knows. bt2 compares the
//   output of its learned basis transformation (part of the network, kept
//   at inference); oca compares the output of an orthogonal layer that only
//   training uses (dropped at inference: it changes no inner product among
//   new embeddings).

#include "core/model/builtin/SampleModelConfig.h"
#include "core/model/builtin/torch/SampleNetworks.h"
#include "core/train/CompatibilityTargets.h"

#include <torch/torch.h>

namespace xbt {

struct CompatibilityLossImpl : torch::nn::Module {
    CompatibilityLossImpl(const SampleCompatibilityConfig& config, int64_t embeddingDim,
                          const CompatibilityTargets& targets, const torch::Device& device);
    // imageEmb, textEmb: the new model's unit embeddings of the batch, for
    // the training images imageIndex and captions captionIndex.
    torch::Tensor forward(const torch::Tensor& imageEmb, const torch::Tensor& textEmb, const torch::Tensor& imageIndex,
                          const torch::Tensor& captionIndex);
    // The part of new embeddings that compares with old ones (unit rows).
    torch::Tensor oldComparable(const torch::Tensor& embeddings) const;

    SampleCompatibilityConfig config;
    int64_t oldDims = 0;
    torch::Tensor logitScale;            // the influence term's temperature, learned
    OrthogonalLinear orthogonal{nullptr};  // oca only
    // Targets: plain members, not buffers (they are data, not state to save).
    torch::Tensor oldImages, oldTexts, referenceImages, referenceTexts;
};
TORCH_MODULE(CompatibilityLoss);

}  // namespace xbt

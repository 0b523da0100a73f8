#pragma once
// What stage 2 trains on the new model's image side, beside phi: LoRA deltas
// inside a built-in image tower (LoraImageTower.h) or a residual feature
// adapter on the image embedding (XbtFeatureAdapter.h). The new model's own
// weights are never changed by either.

#include "core/adapt/CompatibilityAdapter.h"

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace xbt {

class XbtImageSide {
public:
    virtual ~XbtImageSide() = default;
    // AdapterInfo::imageTowerAdaptation: "lora" or "feature-adapter".
    virtual std::string adaptation() const = 0;
    // Every trained parameter (saved in checkpoints).
    virtual std::shared_ptr<torch::nn::Module> trainable() = 0;
    virtual int64_t trainingImages() const = 0;
    // Adapted, L2-normalised new-model embeddings of these training images.
    virtual torch::Tensor embedTraining(const std::vector<int64_t>& rows) = 0;
    // The same for every validation image, without gradients.
    virtual Matrix embedValidation() = 0;
    virtual void storeInto(CompatibilityAdapter& adapter) const = 0;
};

}  // namespace xbt

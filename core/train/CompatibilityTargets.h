#pragma once
// What compatible training (see CompatibilityLoss.h) learns from: the frozen
// old model's embeddings of the training set, and for bt2 / oca the
// reference new model's, rows in the set's image order and flat caption
// order (every caption of image 0, then of image 1, ...). Made by the caller
// (xbt train-base), which owns the models; the trainer only reads them.

#include "core/model/ModelOptions.h"
#include "core/model/builtin/SampleModelConfig.h"
#include "core/util/Matrix.h"
#include "core/util/Progress.h"

namespace xbt {

struct CompatibilityTargets {
    Matrix oldImages, oldTexts;
    Matrix referenceImages, referenceTexts;  // bt2 / oca
    // The old model's embeddings of the validation set: new -> old recall.
    Matrix oldValidationImages, oldValidationTexts;
};

// Loads config.compatibility's old (and reference) model, renders the
// config's training and validation scenes at each model's own resolution
// and embeds them. Records the old model's name, fingerprint and size in
// config.compatibility (what the finished model declares itself compatible
// with). Throws xbt::Error naming a model that does not load.
CompatibilityTargets makeCompatibilityTargets(SampleModelConfig& config, const ModelOptions& options,
                                              const ProgressCallback& progress = {}, const CancelToken& cancel = {});

}  // namespace xbt

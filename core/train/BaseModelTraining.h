#pragma once
// One run of `xbt train-base` as a function, for the CLI and the workbench's
// Train tab alike: a built-in model's recipe, optionally turned into a
// compatible one (BCT, BT^2, OCA against a frozen old model; see
// docs/compatibility.md), its data rendered, the frozen models' targets
// embedded, then BaseModelTrainer (resumable, NaN guard, checkpoints).

#include "core/model/builtin/SampleModelConfig.h"
#include "core/train/BaseModelTrainer.h"
#include "core/util/Progress.h"

#include <optional>
#include <string>

namespace xbt {

// What the user changes on a recipe. Unset fields keep the recipe's.
struct BaseTrainingRequest {
    std::string recipeFile;        // e.g. samples/sample-new.json
    std::string outDir;            // the model folder (checkpoint/ while training; resumed from)
    std::string device = "auto";
    // Compatible training: method and old model turn any recipe into a
    // compatible one; the output size follows from the old model (bct: its
    // size; bt2 / oca: its size + extraDims, by default the recipe's dims
    // beyond the old model's).
    std::string compatibility;     // "" | bct | bt2 | oca
    std::string compatibleWith;    // the frozen old model (as for --model)
    std::string reference;         // bt2 / oca: the independently trained new model (default sample-new)
    std::optional<int> extraDims;
    std::optional<double> compatibilityWeight;
    std::optional<int> epochs, trainCount, valCount, batchSize, threads, checkpointEvery;
};

// The recipe with the request applied and validated again; `notes` gets a
// line for each thing worth telling (e.g. the size that changed). Throws
// xbt::Error naming the option at fault.
SampleModelConfig recipeFor(const BaseTrainingRequest& request, std::vector<std::string>* notes = nullptr);

// Renders the data, embeds the frozen models' targets (compatible recipes;
// `recipe.compatibility` then records the old model's name, fingerprint and
// size) and trains. `stage` reports the preparation steps, `progress` each
// training step.
BaseTrainingResult trainBaseModel(SampleModelConfig& recipe, const BaseTrainingRequest& request,
                                  const TrainProgressCallback& progress = {}, const ProgressCallback& stage = {},
                                  const CancelToken& cancel = {}, int64_t injectNanAtStep = -1);

}  // namespace xbt

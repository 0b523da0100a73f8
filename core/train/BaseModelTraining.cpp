#include "core/train/BaseModelTraining.h"

#include "core/model/EmbeddingModel.h"
#include "core/model/ModelLoader.h"
#include "core/model/builtin/BuiltinSampleModel.h"
#include "core/sample/SampleVocabulary.h"
#include "core/train/CompatibilityTargets.h"
#include "core/train/SampleWorldData.h"
#include "core/util/Error.h"

namespace xbt {

namespace {

int oldModelDims(const std::string& spec)
{
    ModelOptions options;
    options.device = "cpu";
    try {
        return loadModel(spec, options)->embeddingDim();
    } catch (const Error& e) {
        throw Error("the old model (--compatible-with) " + spec + " did not load: " + e.what());
    }
}

}  // namespace

SampleModelConfig recipeFor(const BaseTrainingRequest& r, std::vector<std::string>* notes)
{
    SampleModelConfig config = SampleModelConfig::fromFile(r.recipeFile);
    // Overrides, for quick and tiny runs (tests use them).
    config.data.trainCount = r.trainCount.value_or(config.data.trainCount);
    config.data.valCount = r.valCount.value_or(config.data.valCount);
    config.training.epochs = r.epochs.value_or(config.training.epochs);
    config.training.batchSize = r.batchSize.value_or(config.training.batchSize);
    config.training.threads = r.threads.value_or(config.training.threads);
    config.training.checkpointEvery = r.checkpointEvery.value_or(config.training.checkpointEvery);
    // Compatible training, by the request or by the recipe's "compatibility" section.
    SampleCompatibilityConfig& compat = config.compatibility;
    const bool recipeWasCompatible = compat.enabled();
    if (!r.compatibility.empty())
        compat.method = r.compatibility;
    if (!r.compatibleWith.empty())
        compat.oldModel = r.compatibleWith;
    if (!r.reference.empty())
        compat.referenceModel = r.reference;
    if (r.extraDims)
        compat.extraDims = *r.extraDims;
    compat.weight = r.compatibilityWeight.value_or(compat.weight);
    if (!r.compatibility.empty() || !r.compatibleWith.empty() || r.extraDims) {
        if (compat.method.empty() || compat.oldModel.empty())
            throw Error("compatible training needs both an old model (--compatible-with M) and a method "
                        "(--compatibility bct|bt2|oca)");
        if (compat.method != "bct" && compat.referenceModel.empty())
            compat.referenceModel = "sample-new";
        // The request turns any recipe into a compatible one, so the output
        // size follows from the old model: bct has its size, bt2/oca its
        // size plus K extra dims (by default the recipe's dims beyond the old model's).
        const int recipeDims = config.embeddingDim;
        const int oldDims = oldModelDims(compat.oldModel);
        if (compat.method == "bct") {
            if (r.extraDims && *r.extraDims != 0)
                throw Error("--extra-dims: bct adds no dimensions (its whole vector is the old model's size)");
            compat.extraDims = 0;
        } else if (!r.extraDims && compat.extraDims == 0) {
            compat.extraDims = recipeDims - oldDims;
            if (compat.extraDims <= 0)
                throw Error("--compatibility " + compat.method + " needs --extra-dims K: the recipe's " +
                            std::to_string(recipeDims) + " dims add none to the " + std::to_string(oldDims) +
                            "-d old model's");
        }
        config.embeddingDim = oldDims + compat.extraDims;
        if (config.embeddingDim != recipeDims && notes)
            notes->push_back("embedding_dim " + std::to_string(config.embeddingDim) + " (the recipe says " +
                             std::to_string(recipeDims) + "): " + compat.method + " against the " +
                             std::to_string(oldDims) + "-d " + compat.oldModel +
                             (compat.extraDims > 0 ? " plus " + std::to_string(compat.extraDims) + " extra" : ""));
        if (!recipeWasCompatible)
            config.name += "-" + compat.method;  // sample-new trained with --compatibility bct: sample-new-bct
        // Validate the recipe again with the request applied.
        config = SampleModelConfig::fromJsonText(config.toJsonText(), r.recipeFile + " with the compatibility options");
    }
    return config;
}

BaseTrainingResult trainBaseModel(SampleModelConfig& config, const BaseTrainingRequest& request,
                                  const TrainProgressCallback& progress, const ProgressCallback& stage,
                                  const CancelToken& cancel, int64_t injectNanAtStep)
{
    const PreprocessSettings preprocess = samplePreprocessSettings(config);
    if (stage)
        stage({"rendering " + std::to_string(config.data.trainCount) + " training and " +
                   std::to_string(config.data.valCount) + " validation scenes at " +
                   std::to_string(preprocess.inputResolution) + " px",
               0, 0, 0.0, -1.0, config.name});
    const auto seed = static_cast<uint64_t>(config.data.seed);
    const CaptionedImageSet train =
        renderSampleWorldSet(seed, config.data.trainSplit, config.data.trainCount, preprocess, 0, cancel);
    const CaptionedImageSet val = renderSampleWorldSet(seed, "val", config.data.valCount, preprocess, 0, cancel);

    CompatibilityTargets targets;
    if (config.compatibility.enabled()) {
        ModelOptions modelOptions;
        modelOptions.device = "cpu";  // the frozen models embed once, up front
        modelOptions.threads = config.training.threads;
        if (stage)
            stage({"compatible training (" + config.compatibility.method + ") with " + config.compatibility.oldModel +
                       ": embedding the training data with the frozen models",
                   0, 0, 0.0, -1.0, config.name});
        targets = makeCompatibilityTargets(config, modelOptions, stage, cancel);
    }
    BaseModelTrainer trainer(config, sampleVocabulary(), request.outDir, request.device);
    if (config.compatibility.enabled())
        trainer.setCompatibilityTargets(std::move(targets));
    if (injectNanAtStep >= 0)
        trainer.injectNanAtStep(injectNanAtStep);
    return trainer.run(train, val, progress, cancel);
}

}  // namespace xbt

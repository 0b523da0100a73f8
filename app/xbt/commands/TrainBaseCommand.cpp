// xbt train-base: trains a built-in sample model from its recipe.
#include "app/xbt/Command.h"
#include "app/xbt/InterruptCancel.h"
#include "core/model/EmbeddingModel.h"
#include "core/model/ModelLoader.h"
#include "core/model/builtin/BuiltinSampleModel.h"
#include "core/model/builtin/SampleModelConfig.h"
#include "core/sample/SampleVocabulary.h"
#include "core/train/BaseModelTrainer.h"
#include "core/train/CompatibilityTargets.h"
#include "core/train/SampleWorldData.h"
#include "core/util/Error.h"

#include <cstdio>

namespace xbt::cli {

namespace {

int oldModelDims(const std::string& spec)
{
    ModelOptions options;
    options.device = "cpu";
    try {
        return loadModel(spec, options)->embeddingDim();
    } catch (const Error& e) {
        throw Error("--compatible-with " + spec + " did not load: " + e.what());
    }
}

int run(const CliArgs& args)
{
    SampleModelConfig config = SampleModelConfig::fromFile(args.required("config"));
    // Overrides, for quick and tiny runs (tests use them).
    config.data.trainCount = args.intValue("train-count", config.data.trainCount);
    config.data.valCount = args.intValue("val-count", config.data.valCount);
    config.training.epochs = args.intValue("epochs", config.training.epochs);
    config.training.batchSize = args.intValue("batch-size", config.training.batchSize);
    config.training.threads = args.intValue("threads", config.training.threads);
    config.training.checkpointEvery = args.intValue("checkpoint-every", config.training.checkpointEvery);
    // Compatible training, by flags or by the recipe's "compatibility" section.
    SampleCompatibilityConfig& compat = config.compatibility;
    const bool recipeWasCompatible = compat.enabled();
    if (args.has("compatibility"))
        compat.method = args.value("compatibility");
    if (args.has("compatible-with"))
        compat.oldModel = args.value("compatible-with");
    if (args.has("reference"))
        compat.referenceModel = args.value("reference");
    compat.extraDims = args.intValue("extra-dims", compat.extraDims);
    compat.weight = args.doubleValue("compatibility-weight", compat.weight);
    if (args.has("compatibility") || args.has("compatible-with") || args.has("extra-dims")) {
        if (compat.method.empty() || compat.oldModel.empty())
            throw UsageError("compatible training needs both --compatible-with M and --compatibility bct|bt2|oca");
        if (compat.method != "bct" && compat.referenceModel.empty())
            compat.referenceModel = "sample-new";
        // The flags turn any recipe into a compatible one, so the output size
        // follows from the old model: bct has its size, bt2/oca its size plus
        // K extra dims (by default the recipe's dims beyond the old model's).
        const int recipeDims = config.embeddingDim;
        const int oldDims = oldModelDims(compat.oldModel);
        if (compat.method == "bct") {
            if (args.has("extra-dims"))
                throw UsageError("--extra-dims: bct adds no dimensions (its whole vector is the old model's size)");
            compat.extraDims = 0;
        } else if (!args.has("extra-dims") && compat.extraDims == 0) {
            compat.extraDims = recipeDims - oldDims;
            if (compat.extraDims <= 0)
                throw UsageError("--compatibility " + compat.method + " needs --extra-dims K: the recipe's " +
                                 std::to_string(recipeDims) + " dims add none to the " + std::to_string(oldDims) +
                                 "-d old model's");
        }
        config.embeddingDim = oldDims + compat.extraDims;
        if (config.embeddingDim != recipeDims)
            std::fprintf(stderr, "embedding_dim %d (the recipe says %d): %s against the %d-d %s%s\n",
                         config.embeddingDim, recipeDims, compat.method.c_str(), oldDims, compat.oldModel.c_str(),
                         compat.extraDims > 0 ? (" plus " + std::to_string(compat.extraDims) + " extra").c_str() : "");
        if (!recipeWasCompatible)
            config.name += "-" + compat.method;  // sample-new trained with --compatibility bct: sample-new-bct
        // Re-validate the recipe with the flags applied.
        config = SampleModelConfig::fromJsonText(config.toJsonText(), args.required("config") + " with the flags");
    }
    const std::string out = args.required("out");
    const CancelToken cancel = cancelOnInterrupt();

    const PreprocessSettings preprocess = samplePreprocessSettings(config);
    std::fprintf(stderr, "rendering %d training and %d validation scenes at %d px...\n", config.data.trainCount,
                 config.data.valCount, preprocess.inputResolution);
    const auto seed = static_cast<uint64_t>(config.data.seed);
    const CaptionedImageSet train =
        renderSampleWorldSet(seed, config.data.trainSplit, config.data.trainCount, preprocess, 0, cancel);
    const CaptionedImageSet val = renderSampleWorldSet(seed, "val", config.data.valCount, preprocess, 0, cancel);

    CompatibilityTargets targets;
    if (compat.enabled()) {
        ModelOptions modelOptions;
        modelOptions.device = "cpu";  // the frozen models embed once, up front
        modelOptions.threads = config.training.threads;
        std::fprintf(stderr, "compatible training (%s) with %s: embedding the training data with the frozen models...\n",
                     compat.method.c_str(), compat.oldModel.c_str());
        targets = makeCompatibilityTargets(config, modelOptions, {}, cancel);
    }
    BaseModelTrainer trainer(config, sampleVocabulary(), out, args.value("device", "auto"));
    if (compat.enabled())
        trainer.setCompatibilityTargets(std::move(targets));
    if (args.has("inject-nan-at"))
        trainer.injectNanAtStep(args.intValue("inject-nan-at", -1));
    const int64_t every = std::max(1, args.intValue("log-every", 20));
    const BaseTrainingResult r = trainer.run(
        train, val,
        [&](const TrainProgress& p) {
            if (p.step % every != 0 && p.validationT2I < 0 && p.step != p.totalSteps)
                return;
            std::fprintf(stderr, "step %5lld/%lld  epoch %2d  loss %.4f  lr %.2e  T %.4f  %6.1f samples/s",
                         static_cast<long long>(p.step), static_cast<long long>(p.totalSteps), p.epoch, p.loss,
                         p.learningRate, p.temperature, p.samplesPerSecond);
            if (p.validationT2I >= 0)
                std::fprintf(stderr, "  val R@1 T2I %.1f%% I2T %.1f%%", 100 * p.validationT2I, 100 * p.validationI2T);
            if (p.validationOldT2I >= 0)
                std::fprintf(stderr, "  new->old T2I %.1f%% I2T %.1f%%", 100 * p.validationOldT2I,
                             100 * p.validationOldI2T);
            std::fprintf(stderr, "\n");
        },
        cancel);
    std::printf("trained %s: %lld steps in %.1f s on %s%s; final loss %.4f", config.name.c_str(),
                static_cast<long long>(r.steps), r.seconds, r.device.c_str(),
                r.resumedFromStep > 0 ? (" (resumed at step " + std::to_string(r.resumedFromStep) + ")").c_str() : "",
                r.finalLoss);
    if (r.validationT2I >= 0)
        std::printf("; validation R@1 T2I %.1f%%, I2T %.1f%%", 100 * r.validationT2I, 100 * r.validationI2T);
    if (r.validationOldT2I >= 0)
        std::printf("; new->old (%s) T2I %.1f%%, I2T %.1f%%", compat.oldName.c_str(), 100 * r.validationOldT2I,
                    100 * r.validationOldI2T);
    std::printf("\nmodel folder: %s (use --model %s)\n", out.c_str(), out.c_str());
    return kExitOk;
}

}  // namespace

Command makeTrainBaseCommand()
{
    return {"train-base",
            "train a built-in sample model (sample-old, sample-new) from its recipe; resumes when interrupted",
            "xbt train-base --config samples/<model>.json --out DIR [--compatible-with M --compatibility "
            "bct|bt2|oca [--extra-dims K] [--compatibility-weight W] [--reference M]]",
            {{"config", "FILE", "the model's recipe (architecture, data, training)"},
             {"out", "DIR", "model folder to write; holds checkpoint/ while training, resumed from if present"},
             {"device", "auto|cpu|cuda", "where to train (default auto: CUDA when available)"},
             {"threads", "N", "CPU threads (default: the recipe's, else all cores)"},
             {"train-count", "N", "override data.train_count"},
             {"val-count", "N", "override data.val_count"},
             {"epochs", "N", "override training.epochs"},
             {"batch-size", "N", "override training.batch_size"},
             {"checkpoint-every", "N", "override training.checkpoint_every (steps; 0: only when cancelled)"},
             {"log-every", "N", "print a progress line every N steps (default 20)"},
             {"compatible-with", "M", "train it compatible with this frozen old model (recipe: compatibility.old_model)"},
             {"compatibility", "bct|bt2|oca", "how (docs/compatibility.md): bct keeps the old size; bt2 and oca add "
                                              "--extra-dims"},
             {"extra-dims", "K", "bt2/oca: dims beyond the old model's (embedding_dim becomes old dims + K)"},
             {"compatibility-weight", "W", "weight of the old model's influence loss (default 1)"},
             {"reference", "M", "bt2/oca: the independently trained new model to learn from (default sample-new)"},
             {"inject-nan-at", "STEP", "testing aid: make the loss NaN at this step"}},
            run};
}

}  // namespace xbt::cli

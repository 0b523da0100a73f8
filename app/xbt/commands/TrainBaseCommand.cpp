// xbt train-base: trains a built-in sample model from its recipe.
#include "app/xbt/Command.h"
#include "app/xbt/InterruptCancel.h"
#include "core/train/BaseModelTraining.h"
#include "core/util/Error.h"

#include <algorithm>
#include <cstdio>

namespace xbt::cli {

namespace {

int run(const CliArgs& args)
{
    BaseTrainingRequest request;
    request.recipeFile = args.required("config");
    request.outDir = args.required("out");
    request.device = args.value("device", "auto");
    // Overrides, for quick and tiny runs (tests use them).
    const auto optionalInt = [&](const char* name, std::optional<int>& field) {
        if (args.has(name))
            field = args.intValue(name, 0);
    };
    optionalInt("train-count", request.trainCount);
    optionalInt("val-count", request.valCount);
    optionalInt("epochs", request.epochs);
    optionalInt("batch-size", request.batchSize);
    optionalInt("threads", request.threads);
    optionalInt("checkpoint-every", request.checkpointEvery);
    optionalInt("extra-dims", request.extraDims);
    request.compatibility = args.value("compatibility");
    request.compatibleWith = args.value("compatible-with");
    request.reference = args.value("reference");
    if (args.has("compatibility-weight"))
        request.compatibilityWeight = args.doubleValue("compatibility-weight", 1.0);
    std::vector<std::string> notes;
    SampleModelConfig config;
    try {
        config = recipeFor(request, &notes);
    } catch (const Error& e) {
        // A recipe file that does not read is an input error, the flags' misuse a usage error.
        if (std::string(e.what()).find("--") != std::string::npos)
            throw UsageError(e.what());
        throw;
    }
    for (const std::string& n : notes)
        std::fprintf(stderr, "%s\n", n.c_str());
    const CancelToken cancel = cancelOnInterrupt();
    const int64_t every = std::max(1, args.intValue("log-every", 20));
    const BaseTrainingResult r = trainBaseModel(
        config, request,
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
        [](const Progress& p) {
            if (p.total == 0)  // the stages, not every embedding batch
                std::fprintf(stderr, "%s...\n", p.stage.c_str());
        },
        cancel, args.has("inject-nan-at") ? args.intValue("inject-nan-at", -1) : -1);
    const SampleCompatibilityConfig& compat = config.compatibility;
    const std::string& out = request.outDir;
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

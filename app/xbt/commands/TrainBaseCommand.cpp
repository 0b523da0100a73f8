// xbt train-base: trains a built-in sample model from its recipe.
#include "app/xbt/Command.h"
#include "app/xbt/InterruptCancel.h"
#include "core/model/builtin/BuiltinSampleModel.h"
#include "core/model/builtin/SampleModelConfig.h"
#include "core/sample/SampleVocabulary.h"
#include "core/train/BaseModelTrainer.h"
#include "core/train/SampleWorldData.h"
#include "core/util/Error.h"

#include <cstdio>

namespace xbt::cli {

namespace {

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
    const std::string out = args.required("out");
    const CancelToken cancel = cancelOnInterrupt();

    const PreprocessSettings preprocess = samplePreprocessSettings(config);
    std::fprintf(stderr, "rendering %d training and %d validation scenes at %d px...\n", config.data.trainCount,
                 config.data.valCount, preprocess.inputResolution);
    const auto seed = static_cast<uint64_t>(config.data.seed);
    const CaptionedImageSet train =
        renderSampleWorldSet(seed, config.data.trainSplit, config.data.trainCount, preprocess, 0, cancel);
    const CaptionedImageSet val = renderSampleWorldSet(seed, "val", config.data.valCount, preprocess, 0, cancel);

    BaseModelTrainer trainer(config, sampleVocabulary(), out, args.value("device", "auto"));
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
            std::fprintf(stderr, "\n");
        },
        cancel);
    std::printf("trained %s: %lld steps in %.1f s on %s%s; final loss %.4f", config.name.c_str(),
                static_cast<long long>(r.steps), r.seconds, r.device.c_str(),
                r.resumedFromStep > 0 ? (" (resumed at step " + std::to_string(r.resumedFromStep) + ")").c_str() : "",
                r.finalLoss);
    if (r.validationT2I >= 0)
        std::printf("; validation R@1 T2I %.1f%%, I2T %.1f%%", 100 * r.validationT2I, 100 * r.validationI2T);
    std::printf("\nmodel folder: %s (use --model %s)\n", out.c_str(), out.c_str());
    return kExitOk;
}

}  // namespace

Command makeTrainBaseCommand()
{
    return {"train-base",
            "train a built-in sample model (sample-old, sample-new) from its recipe; resumes when interrupted",
            "xbt train-base --config samples/<model>.json --out DIR",
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
             {"inject-nan-at", "STEP", "testing aid: make the loss NaN at this step"}},
            run};
}

}  // namespace xbt::cli

#pragma once
// Trains a built-in sample dual encoder from scratch: symmetric InfoNCE with a
// learnable temperature, AdamW, linear warm-up then cosine decay. Checkpoints
// every few steps and resumes from the last one; stops with a clear message
// when the loss turns NaN, keeping the last good checkpoint. Deterministic on
// one machine for a seed: the data order of an epoch and the caption drawn at
// a step depend only on (seed, epoch, step), so a resumed run replays exactly.

#include "core/model/builtin/SampleModelConfig.h"
#include "core/train/CaptionedImageSet.h"
#include "core/train/CompatibilityTargets.h"
#include "core/util/Progress.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace xbt {

struct TrainProgress {
    int64_t step = 0;
    int64_t totalSteps = 0;
    int epoch = 0;
    double loss = 0.0;
    double learningRate = 0.0;
    double samplesPerSecond = 0.0;
    double temperature = 0.0;
    // Validation recall@1 (fractions), or < 0 when not measured at this step.
    double validationT2I = -1.0;
    double validationI2T = -1.0;
    // Compatible training: new queries against the old model's validation
    // embeddings (the new -> old configuration), or < 0.
    double validationOldT2I = -1.0;
    double validationOldI2T = -1.0;
    std::string device;
};
using TrainProgressCallback = std::function<void(const TrainProgress&)>;

struct BaseTrainingResult {
    int64_t steps = 0;
    int64_t resumedFromStep = 0;  // 0 when started fresh
    double seconds = 0.0;
    double finalLoss = 0.0;
    double validationT2I = -1.0;
    double validationI2T = -1.0;
    double validationOldT2I = -1.0;  // compatible training: new -> old
    double validationOldI2T = -1.0;
    std::string device;
};

class BaseModelTrainer {
public:
    // `outDir` receives checkpoint/ while training and the finished model
    // folder (sample-model.json, vocabulary.txt, weights.pt) at the end.
    BaseModelTrainer(SampleModelConfig config, std::vector<std::string> vocabulary, std::string outDir,
                     std::string device = "auto");
    ~BaseModelTrainer();

    BaseTrainingResult run(const CaptionedImageSet& train, const CaptionedImageSet& validation,
                           const TrainProgressCallback& progress = {}, const CancelToken& cancel = {});

    // For tests: make the loss NaN at this step.
    void injectNanAtStep(int64_t step) { nanAtStep_ = step; }
    // Required when the config asks for compatible training
    // (config.compatibility), whose old_* fields must be filled in.
    void setCompatibilityTargets(CompatibilityTargets targets) { compatibility_ = std::move(targets); }

    static std::string checkpointDirectory(const std::string& outDir);

private:
    SampleModelConfig config_;
    std::vector<std::string> vocabulary_;
    std::string outDir_;
    std::string device_;
    int64_t nanAtStep_ = -1;
    CompatibilityTargets compatibility_;
};

}  // namespace xbt

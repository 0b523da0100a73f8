#pragma once
// XBT stage 1: phi learned from TEXT ONLY. A large corpus embedded by both
// text encoders gives pairs (e_new, e_old); phi(e_new + sigma eps) is pulled
// onto e_old by a symmetric InfoNCE with a learned temperature plus
// lambda (1 - cos). The noise (eps ~ N(0, I / d_new), so sigma is the noise's
// norm relative to the unit embedding) keeps phi from fitting the text
// modality only, so that it transfers to image embeddings.

#include "core/adapt/training/torch/OptimizationLoop.h"
#include "core/adapt/training/AdapterSettingsTable.h"
#include "core/adapt/CompatibilityAdapter.h"

namespace xbt {

struct XbtStage1Settings {
    int64_t hidden = 512;
    double lambda = 1.0;
    int64_t steps = 1500;
    int64_t batchSize = 256;
    int64_t warmupSteps = 100;
    double learningRate = 1e-3;
    double weightDecay = 0.01;
    double initialTemperature = 0.05;
    double ridge = 1e-3;
    int64_t validateEvery = 0;
    int64_t checkpointEvery = 0;
    uint64_t seed = 0;

    static XbtStage1Settings from(const AdapterSettingsReader& config);
};

struct XbtStage1Outcome {
    ProjectionWeights phi;
    double temperature = 0.0;
    LoopResult loop;
};

class XbtStage1Trainer {
public:
    // Rows of newTexts and oldTexts are the same sentences.
    XbtStage1Trainer(XbtStage1Settings settings, const Matrix& newTexts, const Matrix& oldTexts,
                     const torch::Device& device);

    // The start of every run: A from least squares on the stage-1 pairs, B = 0.
    const Matrix& leastSquares() const { return leastSquares_; }

    // `steps` replaces settings.steps (sigma search runs short). `validation`
    // measures phi on the validation split's new text and image embeddings
    // (or on held-out sentences).
    XbtStage1Outcome train(double sigma, int64_t steps, const AdapterValidation& validation, const LoopHooks& hooks,
                           const std::string& stage);

private:
    XbtStage1Settings settings_;
    torch::Device device_;
    torch::Tensor newTexts_, oldTexts_;
    Matrix leastSquares_;
};

}  // namespace xbt

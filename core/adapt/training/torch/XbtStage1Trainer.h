#pragma once
// XBT stage 1: phi learned from TEXT ONLY. A large corpus embedded by both
// text encoders gives pairs (e_new, e_old); phi(e_new + sigma eps) is pulled
// onto e_old by a symmetric InfoNCE with a learned temperature plus
// lambda (1 - cos). The noise (eps ~ N(0, I / d_new), so sigma is the noise's
// norm relative to the unit embedding) keeps phi from fitting the text
// modality only, so that it transfers to image embeddings.

#include "core/adapt/CompatibilityAdapter.h"
#include "core/adapt/training/AdapterSettingsTable.h"
#include "core/adapt/training/OptimizerSettings.h"
#include "core/adapt/training/torch/OptimizationLoop.h"

namespace xbt {

// Read from a resolved xbt-stage1 or xbt configuration (defaults live in the
// settings table).
struct XbtStage1Settings {
    int64_t hidden = 0;
    double lambda = 0.0;
    double initialTemperature = 0.0;
    double ridge = 0.0;
    uint64_t seed = 0;
    OptimizerSettings optimizer;  // stage1_steps, stage1_batch_size, stage1_lr, ...

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

    // `steps` replaces settings.optimizer.steps (sigma search runs short). `validation`
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

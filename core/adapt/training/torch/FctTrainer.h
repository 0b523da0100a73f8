#pragma once
// FCT, forward-compatible training: a gallery transform h(old embedding) ->
// new space, so a gallery moves to the new model by transforming its STORED
// vectors, without reading an image again. h has phi's two-part form (linear
// part from least squares, residual MLP starting at zero); the loss is the
// squared error of h's raw output against the new embedding plus
// cos_weight (1 - cos). Every encoder is frozen: only h trains.

#include "core/adapt/CompatibilityAdapter.h"
#include "core/adapt/training/AdapterSettingsTable.h"
#include "core/adapt/training/OptimizerSettings.h"
#include "core/adapt/training/torch/OptimizationLoop.h"
#include "core/embed/SideInformation.h"

namespace xbt {

// Read from a resolved fct configuration (defaults live in the settings table).
struct FctSettings {
    int64_t hidden = 0;
    double cosWeight = 0.0;
    double contrastiveWeight = 0.0;
    double contrastiveTemperature = 0.05;
    double ridge = 0.0;
    SideInformationUse sideInformation;
    uint64_t seed = 0;
    OptimizerSettings optimizer;  // steps, batch_size, lr, warmup_steps, ...

    static FctSettings from(const AdapterSettingsReader& config);
};

// What h reads for a gallery's images and captions.
struct GalleryInput {
    Matrix images, texts;
};

struct FctOutcome {
    ProjectionWeights transform;
    LoopResult loop;
    // The validation split's old images and captions moved into the new space.
    Matrix validationImages, validationTexts;
};

class FctTrainer {
public:
    FctTrainer(FctSettings settings, const torch::Device& device) : settings_(settings), device_(device) {}
    // Rows of each old/new pair of matrices are the same items embedded by
    // each model: the pairs' images, and (may be empty) corpus sentences.
    // With sentences, every batch is half images, half sentences, so that a
    // large corpus does not drown the few images (and h serves both the
    // image gallery and the caption gallery). The "old" side is h's input:
    // the old embeddings, with side information appended when h uses it;
    // `validationInput` is the validation split's in the same form.
    FctOutcome train(const Matrix& oldImages, const Matrix& newImages, const Matrix& oldTexts, const Matrix& newTexts,
                     const AdapterValidation& validation, const GalleryInput& validationInput, const LoopHooks& hooks);

private:
    FctSettings settings_;
    torch::Device device_;
};

}  // namespace xbt

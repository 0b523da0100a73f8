#pragma once
// XBT stage 2: a few image-text pairs, parameter-efficient. The image side
// (LoRA in a built-in tower, or a feature adapter) and optionally phi train so
// that phi(adapted E_new^img(x)) lands on the stage-1 phi(E_new^txt(t)) of its
// captions (symmetric InfoNCE, learned temperature). Targets come from stage
// 1's phi, so the old model is not needed here at all. When phi is tuned, a
// text anchor term mean(1 - cos(phi(t), phi_1(t))) over corpus sentences (the
// pairs' captions when there is no corpus) keeps text queries where stage 1
// put them.
// Optionally (gallery_image_weight, a project extension) text queries are
// also pulled onto the old gallery's STORED embeddings of the pairs' images
// (caption->image InfoNCE + (1 - cos)): still no old model in stage 2, but a signal stage
// 1's targets cannot give, since they can at best reproduce the old text
// encoder, and T2I against old images then at best equals old->old.
// Unlabelled images widen that gallery term: their pseudo captions (the
// corpus sentences the new model ranks first for them) are pulled onto the
// old model's embeddings of them too.
// Likewise (gallery_text_weight) the adapted image queries are pulled onto
// the old gallery's stored embeddings of their own captions (image->caption
// InfoNCE + (1 - cos)), which is what image-to-text searches against.

#include "core/adapt/training/AdapterSettingsTable.h"
#include "core/adapt/training/OptimizerSettings.h"
#include "core/adapt/training/torch/OptimizationLoop.h"
#include "core/adapt/training/torch/XbtImageSide.h"

namespace xbt {

// Read from a resolved xbt configuration (defaults live in the settings table).
struct XbtStage2Settings {
    // Which stage-2 terms train phi: none (Frozen), all (Tune), or only the
    // text-side ones (Text: the gallery term and the anchor; the image term
    // then trains the image side alone). With the gallery term, Text keeps the
    // image term from dragging text queries towards where images must land.
    enum class Phi { Frozen, Tune, Text };
    Phi phi = Phi::Text;
    bool phiTrains() const { return phi != Phi::Frozen; }
    double phiLearningRateScale = 0.0;  // phi's rate as a multiple of the image side's
    double textAnchorWeight = 0.0;
    double galleryImageWeight = 0.0;
    double galleryTextWeight = 0.0;
    int64_t textBatchSize = 0;  // captions and corpus sentences per step of the text-side terms
    uint64_t seed = 0;
    OptimizerSettings optimizer;  // stage2_steps, stage2_batch_size (image-text pairs), stage2_lr, ...

    static XbtStage2Settings from(const AdapterSettingsReader& config);
};

struct XbtStage2Data {
    Matrix captionTexts;                                // new-model embeddings of the pairs' captions
    std::vector<std::vector<int64_t>> captionsOfImage;  // caption rows of each training image (each row once)
    Matrix anchorTexts;                                 // new-model corpus embeddings (may be empty)
    // The old model's embeddings of the training images, as an old gallery
    // stores them (for gallery_image_weight; may be empty).
    Matrix galleryImages;
    // The old model's embeddings of the pairs' captions, rows as
    // captionTexts (for gallery_text_weight; may be empty).
    Matrix galleryCaptions;
    // Unlabelled images (xbt --unlabeled; for gallery_image_weight, may be
    // empty): the old model's embedding of each image, and pseudo captions
    // (PseudoCaptions.h), each the new-model embedding of a corpus sentence
    // with the row of the image it was picked for. The gallery term samples
    // them beside the pairs' captions.
    Matrix unlabeledImages;
    Matrix pseudoCaptionTexts;
    std::vector<int64_t> pseudoCaptionImage;
};

struct XbtStage2Outcome {
    ProjectionWeights phi;
    LoopResult loop;
    // The validation split's captions and images mapped into the old space
    // by the final adapter (empty without a split).
    Matrix validationTexts, validationImages;
};

class XbtStage2Trainer {
public:
    XbtStage2Trainer(XbtStage2Settings settings, ProjectionWeights stage1Phi, double stage1Temperature,
                     XbtImageSide& imageSide, const torch::Device& device);

    XbtStage2Outcome train(const XbtStage2Data& data, const AdapterValidation& validation, const LoopHooks& hooks);

private:
    XbtStage2Settings settings_;
    ProjectionWeights stage1Phi_;
    double stage1Temperature_;
    XbtImageSide& imageSide_;
    torch::Device device_;
};

}  // namespace xbt

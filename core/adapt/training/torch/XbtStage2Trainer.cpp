#include "core/adapt/training/torch/XbtStage2Trainer.h"

#include "core/adapt/training/torch/XbtProjectionModule.h"
#include "core/model/torch/TorchTensors.h"
#include "core/train/TrainingSchedule.h"
#include "core/util/Error.h"

#include <torch/torch.h>

#include <cmath>
#include <random>

namespace xbt {

XbtStage2Settings XbtStage2Settings::from(const AdapterSettingsReader& c)
{
    using Phi = XbtStage2Settings::Phi;
    XbtStage2Settings s;
    const std::string phi = c.text("stage2_phi");
    s.phi = phi == "frozen" ? Phi::Frozen : phi == "text" ? Phi::Text : Phi::Tune;
    s.phiLearningRateScale = c.number("stage2_phi_lr_scale");
    s.textAnchorWeight = c.number("text_anchor_weight");
    s.galleryImageWeight = c.number("gallery_image_weight");
    s.galleryTextWeight = c.number("gallery_text_weight");
    s.textBatchSize = c.integer("stage2_text_batch_size");
    s.seed = static_cast<uint64_t>(c.integer("seed"));
    s.optimizer = OptimizerSettings::read(c, "stage2_");
    return s;
}

XbtStage2Trainer::XbtStage2Trainer(XbtStage2Settings settings, ProjectionWeights stage1Phi, double stage1Temperature,
                                   XbtImageSide& imageSide, const torch::Device& device)
    : settings_(settings), stage1Phi_(std::move(stage1Phi)), stage1Temperature_(stage1Temperature),
      imageSide_(imageSide), device_(device)
{
}

XbtStage2Outcome XbtStage2Trainer::train(const XbtStage2Data& data, const AdapterValidation& validation,
                                         const LoopHooks& hooks)
{
    const XbtStage2Settings& s = settings_;
    const int64_t images = imageSide_.trainingImages();
    if (static_cast<int64_t>(data.captionsOfImage.size()) != images)
        throw Error("stage 2: " + std::to_string(data.captionsOfImage.size()) + " caption lists for " +
                    std::to_string(images) + " images");
    if (images < 2)
        throw Error("stage 2 needs at least 2 image-text pairs; the pairs split has " + std::to_string(images));

    // The stage-1 targets, computed once: phi_1 never changes.
    XbtProjection stage1(stage1Phi_);
    stage1->to(device_);
    auto phi1 = [&](const torch::Tensor& z) { return stage1(z); };
    const torch::Tensor captionTexts = fromMatrix(data.captionTexts, device_);
    const torch::Tensor captionTargets = fromMatrix(applyWithoutGrad(phi1, data.captionTexts, device_), device_);
    const bool anchored = s.phiTrains() && s.textAnchorWeight > 0.0;
    torch::Tensor anchorTexts, anchorTargets;
    if (anchored && !data.anchorTexts.empty()) {
        anchorTexts = fromMatrix(data.anchorTexts, device_);
        anchorTargets = fromMatrix(applyWithoutGrad(phi1, data.anchorTexts, device_), device_);
    }

    auto state = std::make_shared<torch::nn::Module>("XbtStage2");
    XbtProjection phi(stage1Phi_);
    phi->to(device_);
    state->register_module("image", imageSide_.trainable());
    if (s.phiTrains())
        state->register_module("phi", phi);
    else
        for (auto& p : phi->parameters())
            p.set_requires_grad(false);
    torch::Tensor logitScale = state->register_parameter(
        "logit_scale", torch::full({1}, std::log(1.0 / stage1Temperature_), torch::TensorOptions().device(device_)));
    const bool galleryTerm = s.galleryImageWeight > 0.0;
    if (galleryTerm && !s.phiTrains())
        throw Error("stage2_phi \"frozen\" leaves phi's text side fixed, so gallery_image_weight (now " +
                    std::to_string(s.galleryImageWeight) + ") has nothing to train: set it to 0, or stage2_phi to "
                    "\"text\" or \"tune\"");
    if (galleryTerm && data.galleryImages.rows != images)
        throw Error("stage 2: gallery_image_weight needs the old model's embeddings of all " + std::to_string(images) +
                    " training images (got " + std::to_string(data.galleryImages.rows) + ")");
    const bool pseudo = !data.pseudoCaptionImage.empty();
    if (pseudo && !galleryTerm)
        throw Error("stage 2: pseudo captions feed the caption -> stored image term, which is off "
                    "(gallery_image_weight 0)");
    if (pseudo && data.anchorTexts.empty())
        throw Error("stage 2: pseudo captions are corpus sentences, so the corpus must be given as anchor texts too");
    if (pseudo && (data.pseudoCaptionTexts.rows != static_cast<int64_t>(data.pseudoCaptionImage.size()) ||
                   data.pseudoCaptionTexts.cols != data.captionTexts.cols))
        throw Error("stage 2: " + std::to_string(data.pseudoCaptionImage.size()) + " pseudo captions but " +
                    std::to_string(data.pseudoCaptionTexts.rows) + " rows of their embeddings, or of another size");
    for (int64_t i : data.pseudoCaptionImage)
        if (i < 0 || i >= data.unlabeledImages.rows)
            throw Error("stage 2: a pseudo caption names unlabelled image " + std::to_string(i) + " of " +
                        std::to_string(data.unlabeledImages.rows));
    // The gallery term's texts and images: the pairs' captions with their
    // images, then the pseudo captions with the unlabelled images.
    torch::Tensor galleryTexts = captionTexts;
    torch::Tensor galleryImages, galleryScale;
    if (galleryTerm) {
        galleryImages = fromMatrix(data.galleryImages, device_);
        if (pseudo) {
            galleryTexts = torch::cat({captionTexts, fromMatrix(data.pseudoCaptionTexts, device_)});
            galleryImages = torch::cat({galleryImages, fromMatrix(data.unlabeledImages, device_)});
        }
        galleryScale = state->register_parameter(
            "gallery_logit_scale",
            torch::full({1}, std::log(1.0 / stage1Temperature_), torch::TensorOptions().device(device_)));
    }

    const bool captionTerm = s.galleryTextWeight > 0.0;
    if (captionTerm && data.galleryCaptions.rows != data.captionTexts.rows)
        throw Error("stage 2: gallery_text_weight needs the old model's embeddings of all " +
                    std::to_string(data.captionTexts.rows) + " pair captions (got " +
                    std::to_string(data.galleryCaptions.rows) + ")");
    torch::Tensor galleryCaptions, captionScale;
    if (captionTerm) {
        galleryCaptions = fromMatrix(data.galleryCaptions, device_);
        captionScale = state->register_parameter(
            "caption_logit_scale",
            torch::full({1}, std::log(1.0 / stage1Temperature_), torch::TensorOptions().device(device_)));
    }

    const OptimizerSettings& o = s.optimizer;
    std::vector<torch::Tensor> imageParams = imageSide_.trainable()->parameters();
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(imageParams, std::make_unique<torch::optim::AdamWOptions>(
                                         torch::optim::AdamWOptions(o.learningRate).weight_decay(o.weightDecay)));
    std::vector<torch::Tensor> scales{logitScale};
    if (galleryTerm)
        scales.push_back(galleryScale);
    if (captionTerm)
        scales.push_back(captionScale);
    groups.emplace_back(scales,
                        std::make_unique<torch::optim::AdamWOptions>(
                            torch::optim::AdamWOptions(o.learningRate).weight_decay(0.0)));
    if (s.phiTrains())
        groups.emplace_back(phi->parameters(), std::make_unique<torch::optim::AdamWOptions>(
                                                   torch::optim::AdamWOptions(o.learningRate * s.phiLearningRateScale)
                                                       .weight_decay(0.0)));
    torch::optim::AdamW optimizer(std::move(groups));

    const int64_t batch = std::min(o.batchSize, images);
    const int64_t textBatch = std::max(batch, s.textBatchSize);
    std::vector<int64_t> captionImage(static_cast<size_t>(data.captionTexts.rows), -1);
    for (size_t i = 0; i < data.captionsOfImage.size(); ++i)
        for (int64_t t : data.captionsOfImage[i])
            captionImage[static_cast<size_t>(t)] = static_cast<int64_t>(i);
    std::vector<int64_t> galleryTextImage = captionImage;
    for (int64_t i : data.pseudoCaptionImage)
        galleryTextImage.push_back(images + i);
    const int64_t stepsPerEpoch = images / batch;
    OptimizerSettings run = o;
    run.batchSize = batch;
    OptimizationLoop loop("stage 2", run, *state, optimizer, device_, hooks);
    auto mapped = [&] {
        auto map = [&](const torch::Tensor& z) { return phi(z); };
        return std::make_pair(applyWithoutGrad(map, validation.newTexts(), device_),
                              applyWithoutGrad(map, imageSide_.embedValidation(), device_));
    };
    if (validation.hasSplit())
        loop.setValidation([&] {
            const auto [texts, imgs] = mapped();
            return validation.queryRecall(texts, imgs);
        });

    int64_t epoch = -1;
    std::vector<int64_t> order;
    auto lossAt = [&](int64_t step) {
        if (step / stepsPerEpoch != epoch) {
            epoch = step / stepsPerEpoch;
            // Not stage 1's order: stage 2 shuffles images, with a stream of its own.
            order = epochOrder(s.seed + 7, epoch, images);
        }
        const int64_t offset = (step % stepsPerEpoch) * batch;
        const std::vector<int64_t> rows(order.begin() + offset, order.begin() + offset + batch);
        std::mt19937_64 pick(s.seed * 7919ULL + static_cast<uint64_t>(step));
        std::vector<int64_t> captions;
        for (int64_t i : rows) {
            const auto& own = data.captionsOfImage[static_cast<size_t>(i)];
            captions.push_back(own[pick() % own.size()]);
        }
        const torch::Tensor adapted = imageSide_.embedTraining(rows);
        const torch::Tensor projected = s.phi == XbtStage2Settings::Phi::Text ? phi->forwardFixedWeights(adapted)
                                                                               : phi(adapted);
        torch::Tensor loss = symmetricInfoNce(projected, gatherRows(captionTargets, captions), logitScale);
        if (captionTerm) {
            // Each image against the old gallery's stored embedding of one of
            // its captions: what an image query meets in an old gallery.
            const torch::Tensor stored = gatherRows(galleryCaptions, captions);
            loss = loss + s.galleryTextWeight * (symmetricInfoNce(projected, stored, captionScale) +
                                                 (1.0 - (projected * stored).sum(1)).mean());
        }
        // The text-side terms are cheap (phi on stored embeddings): they see
        // text_batch captions and corpus sentences, more than the image batch.
        std::vector<int64_t> textRows = captions;
        if (galleryTerm) {
            textRows.clear();
            for (int64_t k = 0; k < textBatch; ++k)
                textRows.push_back(static_cast<int64_t>(pick() % static_cast<uint64_t>(galleryTextImage.size())));
            std::vector<int64_t> imagesOfRows;
            for (int64_t t : textRows)
                imagesOfRows.push_back(galleryTextImage[static_cast<size_t>(t)]);
            const torch::Tensor queries = phi(gatherRows(galleryTexts, textRows));
            const torch::Tensor stored = gatherRows(galleryImages, imagesOfRows);
            loss = loss + s.galleryImageWeight * (queryToGalleryInfoNce(queries, stored, imagesOfRows, galleryScale) +
                                                  (1.0 - (queries * stored).sum(1)).mean());
        }
        if (anchored) {
            // Held on the corpus, not on the pairs' own captions: there the
            // gallery term is meant to move phi.
            torch::Tensor texts, targets;
            if (anchorTexts.defined()) {
                std::vector<int64_t> sentences;
                for (int64_t k = 0; k < textBatch; ++k)
                    sentences.push_back(static_cast<int64_t>(pick() % static_cast<uint64_t>(anchorTexts.size(0))));
                texts = gatherRows(anchorTexts, sentences);
                targets = gatherRows(anchorTargets, sentences);
            } else {
                texts = gatherRows(captionTexts, textRows);
                targets = gatherRows(captionTargets, textRows);
            }
            loss = loss + s.textAnchorWeight * (1.0 - (phi(texts) * targets).sum(1)).mean();
        }
        return loss;
    };
    XbtStage2Outcome outcome;
    outcome.loop = loop.run(lossAt, [&] {
        clampLogitScale(logitScale);
        if (galleryTerm)
            clampLogitScale(galleryScale);
        if (captionTerm)
            clampLogitScale(captionScale);
    });
    outcome.phi = phi->weights();
    if (validation.hasSplit())
        std::tie(outcome.validationTexts, outcome.validationImages) = mapped();
    return outcome;
}

}  // namespace xbt

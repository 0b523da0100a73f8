#include "core/train/BaseModelTrainer.h"

#include "core/eval/RetrievalRecall.h"
#include "core/model/TorchRuntime.h"
#include "core/model/torch/TorchTensors.h"
#include "core/model/builtin/BuiltinSampleModel.h"
#include "core/model/builtin/torch/SampleNetworks.h"
#include "core/text/WordTokenizer.h"
#include "core/train/CaptionNegatives.h"
#include "core/train/torch/CompatibilityLoss.h"
#include "core/train/TrainingCheckpoint.h"
#include "core/train/TrainingSchedule.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <limits>
#include <optional>
#include <random>

namespace xbt {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct TokenizedCaptions {
    torch::Tensor ids;                 // [total captions, L]
    std::vector<int64_t> firstOfImage; // first caption row of each image
    std::vector<int64_t> countOfImage;
    std::vector<int64_t> imageOfCaption;
    // With text negatives: a word-order negative of each caption, and whether
    // it has one (a one-object, one-colour caption without a direction has none).
    torch::Tensor negativeIds;  // [total captions, L]
    torch::Tensor hasNegative;  // [total captions] bool
};

TokenizedCaptions tokenizeAll(const CaptionedImageSet& set, const WordTokenizer& tokenizer, int contextLength,
                              bool withNegatives)
{
    TokenizedCaptions out;
    std::vector<std::string> flat;
    for (size_t i = 0; i < set.size(); ++i) {
        if (set.captions[i].empty())
            throw Error("training image " + std::to_string(i) + " has no caption");
        out.firstOfImage.push_back(static_cast<int64_t>(flat.size()));
        out.countOfImage.push_back(static_cast<int64_t>(set.captions[i].size()));
        for (const std::string& c : set.captions[i]) {
            flat.push_back(c);
            out.imageOfCaption.push_back(static_cast<int64_t>(i));
        }
    }
    std::vector<int64_t> ids = tokenizer.tokenizeBatch(flat, contextLength);
    out.ids = torch::from_blob(ids.data(), {static_cast<int64_t>(flat.size()), contextLength}, torch::kLong).clone();
    if (withNegatives) {
        std::vector<std::string> negatives;
        std::vector<uint8_t> has;
        for (size_t i = 0; i < flat.size(); ++i) {
            const std::optional<std::string> n = wordOrderNegative(flat[i], i);
            negatives.push_back(n.value_or(flat[i]));
            has.push_back(n.has_value() ? 1 : 0);
        }
        std::vector<int64_t> negIds = tokenizer.tokenizeBatch(negatives, contextLength);
        out.negativeIds =
            torch::from_blob(negIds.data(), {static_cast<int64_t>(flat.size()), contextLength}, torch::kLong).clone();
        out.hasNegative = torch::from_blob(has.data(), {static_cast<int64_t>(has.size())}, torch::kUInt8).to(torch::kBool);
    }
    return out;
}

}  // namespace

BaseModelTrainer::BaseModelTrainer(SampleModelConfig config, std::vector<std::string> vocabulary, std::string outDir,
                                   std::string device)
    : config_(std::move(config)), vocabulary_(std::move(vocabulary)), outDir_(std::move(outDir)),
      device_(std::move(device))
{
}

BaseModelTrainer::~BaseModelTrainer() = default;

std::string BaseModelTrainer::checkpointDirectory(const std::string& outDir)
{
    return (fs::path(outDir) / "checkpoint").string();
}

BaseTrainingResult BaseModelTrainer::run(const CaptionedImageSet& train, const CaptionedImageSet& validation,
                                         const TrainProgressCallback& progress, const CancelToken& cancel)
{
    const SampleTrainingConfig& tc = config_.training;
    configureTorchThreads(tc.threads);
    torch::manual_seed(static_cast<uint64_t>(tc.seed));
    const torch::Device device = resolveDevice(device_);
    const WordTokenizer tokenizer(vocabulary_);
    SampleDualEncoder net(config_, tokenizer.vocabularySize());
    net->to(device);

    std::vector<torch::Tensor> decay, noDecay;
    for (auto& p : net->parameters())
        (p.dim() >= 2 ? decay : noDecay).push_back(p);
    // Compatible training: the frozen models' targets and the objective's
    // own parameters (its temperature; oca's training-only orthogonal layer).
    const SampleCompatibilityConfig& compat = config_.compatibility;
    CompatibilityLoss compatibility{nullptr};
    if (compat.enabled()) {
        if (compat.oldFingerprint.empty())
            throw Error("compatible training: the old model's identity was not recorded (internal error)");
        compatibility = CompatibilityLoss(compat, config_.embeddingDim, compatibility_, device);
        for (auto& p : compatibility->parameters())
            (p.dim() >= 2 ? decay : noDecay).push_back(p);
    }
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                   torch::optim::AdamWOptions(tc.learningRate).weight_decay(tc.weightDecay)));
    groups.emplace_back(noDecay, std::make_unique<torch::optim::AdamWOptions>(
                                     torch::optim::AdamWOptions(tc.learningRate).weight_decay(0.0)));
    torch::optim::AdamW optimizer(std::move(groups));

    const int64_t n = static_cast<int64_t>(train.size());
    const int64_t batch = tc.batchSize;
    if (n < batch)
        throw Error("training needs at least one batch: " + std::to_string(n) + " images for batch size " +
                    std::to_string(batch));
    const int64_t stepsPerEpoch = n / batch;
    const int64_t totalSteps = stepsPerEpoch * tc.epochs;
    const int contextLength = config_.text.contextLength;
    const torch::Tensor images = stackPixels(train.images, device);
    const TokenizedCaptions captions = tokenizeAll(train, tokenizer, contextLength, tc.textNegatives);
    const torch::Tensor captionIds = captions.ids.to(device);
    const torch::Tensor negativeIds = tc.textNegatives ? captions.negativeIds.to(device) : torch::Tensor();
    const torch::Tensor hasNegative = tc.textNegatives ? captions.hasNegative.to(device) : torch::Tensor();

    createDirectories(outDir_);
    const TrainingCheckpoint checkpoint(checkpointDirectory(outDir_));
    const json identity = {{"architecture", config_.architectureText()},
                           {"train_images", n},
                           {"batch_size", batch},
                           {"epochs", tc.epochs},
                           {"seed", tc.seed},
                           {"keep_twins_together", tc.keepTwinsTogether},
                           {"text_negatives", tc.textNegatives}};

    BaseTrainingResult result;
    result.device = device.str();
    int64_t step = 0;
    if (checkpoint.exists()) {
        if (!checkpoint.matches(identity))
            throw Error(checkpoint.dir() + " holds a checkpoint of a different configuration or data; "
                        "delete it or train into another --out folder");
        requireRegularFile(checkpoint.file("model.pt"));
        requireRegularFile(checkpoint.file("optimizer.pt"));
        torch::load(net, checkpoint.file("model.pt"), device);
        torch::load(optimizer, checkpoint.file("optimizer.pt"), device);
        if (compatibility) {
            requireRegularFile(checkpoint.file("compatibility.pt"));
            torch::load(compatibility, checkpoint.file("compatibility.pt"), device);
        }
        net->to(device);
        step = checkpoint.step();
        result.resumedFromStep = step;
    }

    auto saveCheckpoint = [&](int64_t atStep) {
        checkpoint.save(identity, atStep, [&](const std::string& folder) {
            torch::save(net, (fs::path(folder) / "model.pt").string());
            torch::save(optimizer, (fs::path(folder) / "optimizer.pt").string());
            if (compatibility)
                torch::save(compatibility, (fs::path(folder) / "compatibility.pt").string());
        });
    };

    auto validate = [&](TrainProgress& p) {
        if (validation.size() == 0)
            return;
        net->eval();
        {
            torch::InferenceMode guard;
            Matrix img, txt;
            std::vector<int64_t> truth;
            std::vector<std::string> texts;
            for (size_t i = 0; i < validation.size(); ++i)
                for (const std::string& c : validation.captions[i]) {
                    texts.push_back(c);
                    truth.push_back(static_cast<int64_t>(i));
                }
            for (size_t b = 0; b < validation.size(); b += 256) {
                const size_t e = std::min(validation.size(), b + 256);
                img.appendRows(toMatrix(net->encodeImages(stackPixels(
                    std::vector<PixelTensor>(validation.images.begin() + static_cast<std::ptrdiff_t>(b),
                                             validation.images.begin() + static_cast<std::ptrdiff_t>(e)),
                    device))));
            }
            for (size_t b = 0; b < texts.size(); b += 1024) {
                const size_t e = std::min(texts.size(), b + 1024);
                std::vector<std::string> chunk(texts.begin() + static_cast<std::ptrdiff_t>(b),
                                               texts.begin() + static_cast<std::ptrdiff_t>(e));
                std::vector<int64_t> ids = tokenizer.tokenizeBatch(chunk, contextLength);
                auto t = torch::from_blob(ids.data(), {static_cast<int64_t>(chunk.size()), contextLength}, torch::kLong)
                             .to(device);
                txt.appendRows(toMatrix(net->encodeTexts(t)));
            }
            const RetrievalRecall r = computeRetrievalRecall(img, txt, truth, 10);
            p.validationT2I = r.textToImage.recallAt(1);
            p.validationI2T = r.imageToText.recallAt(1);
            if (compatibility && compatibility_.oldValidationImages.rows == static_cast<int64_t>(validation.size())) {
                // new -> old: the new model's old-comparable part against the old model's embeddings.
                const Matrix newImages = toMatrix(compatibility->oldComparable(fromMatrix(img, device)));
                const Matrix newTexts = toMatrix(compatibility->oldComparable(fromMatrix(txt, device)));
                const RetrievalRecall cross = computeCrossRecall(newTexts, compatibility_.oldValidationImages,
                                                                 newImages, compatibility_.oldValidationTexts, truth, 10);
                p.validationOldT2I = cross.textToImage.recallAt(1);
                p.validationOldI2T = cross.imageToText.recallAt(1);
            }
        }
        net->train();
    };

    net->train();
    const double start = monotonicSeconds();
    double windowStart = start;
    int64_t windowSteps = 0;
    int currentEpoch = -1;
    std::vector<int64_t> order;
    double lastLoss = 0.0;
    TrainProgress p;
    p.totalSteps = totalSteps;
    p.device = device.str();
    for (; step < totalSteps; ++step) {
        if (cancel.isCancelled()) {
            saveCheckpoint(step);
            throw Cancelled();
        }
        const int epoch = static_cast<int>(step / stepsPerEpoch);
        if (epoch != currentEpoch) {
            order = epochOrder(static_cast<uint64_t>(tc.seed), epoch, n,
                               tc.keepTwinsTogether ? train.twins : std::vector<int64_t>{});
            currentEpoch = epoch;
        }
        const int64_t offset = (step % stepsPerEpoch) * batch;
        std::vector<int64_t> imageIdx(order.begin() + offset, order.begin() + offset + batch);
        std::mt19937_64 captionRng(static_cast<uint64_t>(tc.seed) * 7919ULL + static_cast<uint64_t>(step));
        std::vector<int64_t> captionIdx;
        for (int64_t i : imageIdx)
            captionIdx.push_back(captions.firstOfImage[static_cast<size_t>(i)] +
                                 static_cast<int64_t>(captionRng() %
                                                      static_cast<uint64_t>(captions.countOfImage[static_cast<size_t>(i)])));
        const auto imgIndex = torch::tensor(imageIdx, torch::kLong).to(device);
        const auto capIndex = torch::tensor(captionIdx, torch::kLong).to(device);

        const double lr = warmupCosineRate(tc.learningRate, tc.warmupSteps, step, totalSteps);
        for (auto& group : optimizer.param_groups())
            static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);

        const auto imageEmb = net->encodeImages(images.index_select(0, imgIndex));
        const auto textEmb = net->encodeTexts(captionIds.index_select(0, capIndex));
        const auto logits = net->logitScale.exp() * torch::matmul(imageEmb, textEmb.t());
        const auto target = torch::arange(batch, torch::TensorOptions().dtype(torch::kLong).device(device));
        // Image -> text: each image's row also holds the batch's negative
        // captions (masked where a caption has none), so the true caption
        // must beat its own words in another order.
        torch::Tensor imageRows = logits;
        if (tc.textNegatives) {
            const auto negEmb = net->encodeTexts(negativeIds.index_select(0, capIndex));
            const auto negLogits = (net->logitScale.exp() * torch::matmul(imageEmb, negEmb.t()))
                                       .masked_fill(hasNegative.index_select(0, capIndex).logical_not().unsqueeze(0),
                                                    -std::numeric_limits<float>::infinity());
            imageRows = torch::cat({logits, negLogits}, 1);
        }
        auto loss = 0.5 * (torch::nn::functional::cross_entropy(imageRows, target) +
                           torch::nn::functional::cross_entropy(logits.t(), target));
        if (compatibility)
            loss = loss + compatibility(imageEmb, textEmb, imgIndex, capIndex);
        if (step == nanAtStep_)
            loss = loss * std::numeric_limits<float>::quiet_NaN();
        const double lossValue = loss.item<double>();
        if (!std::isfinite(lossValue))
            throw Error(nonFiniteLossMessage(step, checkpoint,
                                             "Lower training.learning_rate (now " + std::to_string(tc.learningRate) +
                                                 ") and run again to resume."));
        optimizer.zero_grad();
        loss.backward();
        torch::nn::utils::clip_grad_norm_(net->parameters(), 1.0);
        optimizer.step();
        {
            // CLIP's clamp: a temperature below 0.01 makes the loss unstable.
            torch::NoGradGuard noGrad;
            net->logitScale.clamp_(0.0, std::log(100.0));
            if (compatibility)
                compatibility->logitScale.clamp_(0.0, std::log(100.0));
        }
        lastLoss = lossValue;
        ++windowSteps;

        const int64_t done = step + 1;
        const bool epochEnd = done % stepsPerEpoch == 0;
        const bool validateNow =
            tc.validateEvery > 0 ? done % tc.validateEvery == 0 || done == totalSteps : epochEnd;
        p.step = done;
        p.epoch = static_cast<int>(step / stepsPerEpoch) + 1;
        p.loss = lossValue;
        p.learningRate = lr;
        p.temperature = 1.0 / net->logitScale.exp().item<double>();
        const double now = monotonicSeconds();
        p.samplesPerSecond = static_cast<double>(windowSteps * batch) / std::max(1e-9, now - windowStart);
        p.validationT2I = p.validationI2T = p.validationOldT2I = p.validationOldI2T = -1.0;
        if (validateNow) {
            validate(p);
            result.validationT2I = p.validationT2I;
            result.validationI2T = p.validationI2T;
            result.validationOldT2I = p.validationOldT2I;
            result.validationOldI2T = p.validationOldI2T;
        }
        // 0 writes none while training (as the adapter trainers): only a cancel saves one.
        if (tc.checkpointEvery > 0 && (done % tc.checkpointEvery == 0 || epochEnd))
            saveCheckpoint(done);
        if (progress)
            progress(p);
        if (now - windowStart > 10.0) {
            windowStart = now;
            windowSteps = 0;
        }
    }

    // The finished model folder, loadable with --model DIR. CPU weights: a
    // file saved from CUDA tensors does not load where there is no GPU.
    net->eval();
    net->to(torch::kCPU);
    const fs::path out(outDir_);
    const std::string weightsTmp = (out / BuiltinSampleModel::kWeightsFile).string() + ".tmp";
    torch::save(net, weightsTmp);
    fs::rename(weightsTmp, out / BuiltinSampleModel::kWeightsFile);
    std::string vocab;
    for (const std::string& w : vocabulary_)
        vocab += w + "\n";
    writeFileAtomic((out / BuiltinSampleModel::kVocabularyFile).string(), vocab);
    writeFileAtomic((out / BuiltinSampleModel::kConfigFile).string(), config_.toJsonText());

    result.steps = totalSteps;
    result.seconds = monotonicSeconds() - start;
    result.finalLoss = lastLoss;
    return result;
}

}  // namespace xbt

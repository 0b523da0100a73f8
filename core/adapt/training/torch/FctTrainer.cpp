#include "core/adapt/training/torch/FctTrainer.h"

#include "core/adapt/ClosedFormFit.h"
#include "core/adapt/training/torch/XbtProjectionModule.h"
#include "core/model/torch/TorchTensors.h"
#include "core/train/torch/ContrastiveLoss.h"
#include "core/train/TrainingSchedule.h"
#include "core/util/Error.h"

#include <torch/torch.h>

namespace xbt {

namespace F = torch::nn::functional;

FctSettings FctSettings::from(const AdapterSettingsReader& c)
{
    FctSettings s;
    s.hidden = c.integer("hidden");
    s.cosWeight = c.number("cos_weight");
    s.contrastiveWeight = c.number("contrastive_weight");
    s.contrastiveTemperature = c.number("contrastive_temperature");
    s.ridge = c.number("ridge");
    s.sideInformation = SideInformationUse::parse(c.text("side_information"), "fct setting side_information");
    s.seed = static_cast<uint64_t>(c.integer("seed"));
    s.optimizer = OptimizerSettings::read(c, "");
    return s;
}

namespace {

// One source of training rows: its own shuffled epochs, so that images and
// sentences each cycle at their own pace.
struct RowSource {
    RowSource() = default;
    RowSource(torch::Tensor from, torch::Tensor to, int64_t rowsPerStep, uint64_t orderSeed)
        : source(std::move(from)), target(std::move(to)), perStep(rowsPerStep), seed(orderSeed)
    {
    }

    torch::Tensor source, target;
    int64_t perStep = 0;
    uint64_t seed = 0;
    int64_t epoch = -1;
    std::vector<int64_t> order;

    std::vector<int64_t> rowsAt(int64_t step)
    {
        const int64_t n = source.size(0);
        const int64_t stepsPerEpoch = std::max<int64_t>(1, n / perStep);
        if (step / stepsPerEpoch != epoch) {
            epoch = step / stepsPerEpoch;
            order = epochOrder(seed, epoch, n);
        }
        const int64_t offset = (step % stepsPerEpoch) * perStep;
        return {order.begin() + offset, order.begin() + std::min(n, offset + perStep)};
    }
};

}  // namespace

FctOutcome FctTrainer::train(const Matrix& oldImages, const Matrix& newImages, const Matrix& oldTexts,
                             const Matrix& newTexts, const AdapterValidation& validation,
                             const GalleryInput& validationInput, const LoopHooks& hooks)
{
    const FctSettings& s = settings_;
    if (oldImages.rows != newImages.rows || oldImages.rows < 2 || oldTexts.rows != newTexts.rows)
        throw Error("fct needs at least 2 images embedded by both models (got " + std::to_string(oldImages.rows) +
                    " and " + std::to_string(newImages.rows) + ")");
    // The closed-form start sees images and sentences alike.
    Matrix oldAll = oldImages, newAll = newImages;
    oldAll.appendRows(oldTexts);
    newAll.appendRows(newTexts);
    auto state = std::make_shared<torch::nn::Module>("Fct");
    XbtProjection h(fitLeastSquares(oldAll, newAll, s.ridge), s.hidden, s.seed);
    state->register_module("h", h);
    state->to(device_);
    torch::optim::AdamW optimizer = makeAdamW(*state, s.optimizer, "h.linear");

    const bool withTexts = oldTexts.rows > 0;
    const int64_t batch = std::min(s.optimizer.batchSize, oldImages.rows + oldTexts.rows);
    const int64_t imageRows = withTexts ? std::min(batch / 2, oldImages.rows) : std::min(batch, oldImages.rows);
    RowSource images(fromMatrix(oldImages, device_), fromMatrix(newImages, device_), imageRows, s.seed);
    RowSource texts;
    if (withTexts)
        texts = RowSource(fromMatrix(oldTexts, device_), fromMatrix(newTexts, device_),
                          std::min(batch - imageRows, oldTexts.rows), s.seed + 1);
    OptimizerSettings run = s.optimizer;
    run.batchSize = batch;
    OptimizationLoop loop("fct", run, *state, optimizer, device_, hooks);
    auto transformed = [&] {
        auto map = [&](const torch::Tensor& x) { return h(x); };
        return std::make_pair(applyWithoutGrad(map, validationInput.images, device_),
                              applyWithoutGrad(map, validationInput.texts, device_));
    };
    if (validation.hasSplit())
        loop.setValidation([&] {
            const auto [imgs, txts] = transformed();
            return validation.galleryRecall(imgs, txts);
        });

    if (s.contrastiveTemperature <= 0.0)
        throw Error("contrastive_temperature must be positive (got " + std::to_string(s.contrastiveTemperature) + ")");
    const torch::Tensor logScale =
        torch::full({}, std::log(1.0 / s.contrastiveTemperature), torch::TensorOptions().device(device_));
    auto lossAt = [&](int64_t step) {
        std::vector<int64_t> rows = images.rowsAt(step);
        torch::Tensor x = gatherRows(images.source, rows);
        torch::Tensor y = gatherRows(images.target, rows);
        if (withTexts) {
            rows = texts.rowsAt(step);
            x = torch::cat({x, gatherRows(texts.source, rows)});
            y = torch::cat({y, gatherRows(texts.target, rows)});
        }
        const torch::Tensor raw = h->unnormalized(x);
        const torch::Tensor squared = (raw - y).pow(2).sum(1).mean();
        const torch::Tensor moved = F::normalize(raw, F::NormalizeFuncOptions().dim(1));
        const torch::Tensor cosine = (1.0 - (moved * y).sum(1)).mean();
        torch::Tensor loss = squared + s.cosWeight * cosine;
        // Regression pulls a vector the old model cannot place towards the
        // mean of where it might be; the contrastive term asks instead that
        // it be nearer its own new embedding than the batch's others.
        if (s.contrastiveWeight > 0.0)
            loss = loss + s.contrastiveWeight * symmetricInfoNce(moved, y, logScale);
        return loss;
    };
    FctOutcome outcome;
    outcome.loop = loop.run(lossAt, {});
    outcome.transform = h->weights();
    if (validation.hasSplit())
        std::tie(outcome.validationImages, outcome.validationTexts) = transformed();
    return outcome;
}

}  // namespace xbt

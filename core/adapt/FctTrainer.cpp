#include "core/adapt/FctTrainer.h"

#include "core/adapt/ClosedFormFit.h"
#include "core/adapt/XbtProjectionModule.h"
#include "core/model/TorchTensors.h"
#include "core/train/TrainingSchedule.h"
#include "core/util/Error.h"

#include <torch/torch.h>

namespace xbt {

namespace F = torch::nn::functional;

FctSettings FctSettings::from(const AdapterSettingsReader& c)
{
    FctSettings s;
    s.hidden = c.integer("hidden");
    s.steps = c.integer("steps");
    s.batchSize = c.integer("batch_size");
    s.warmupSteps = c.integer("warmup_steps");
    s.learningRate = c.number("lr");
    s.weightDecay = c.number("weight_decay");
    s.cosWeight = c.number("cos_weight");
    s.ridge = c.number("ridge");
    s.validateEvery = c.integer("validate_every");
    s.checkpointEvery = c.integer("checkpoint_every");
    s.seed = static_cast<uint64_t>(c.integer("seed"));
    return s;
}

FctOutcome FctTrainer::train(const Matrix& oldRows, const Matrix& newRows, const AdapterValidation& validation,
                             const LoopHooks& hooks)
{
    const FctSettings& s = settings_;
    if (oldRows.rows != newRows.rows || oldRows.rows < 2)
        throw Error("fct needs at least 2 items embedded by both models (got " + std::to_string(oldRows.rows) +
                    " and " + std::to_string(newRows.rows) + ")");
    auto state = std::make_shared<torch::nn::Module>("Fct");
    XbtProjection h(fitLeastSquares(oldRows, newRows, s.ridge), s.hidden, s.seed);
    state->register_module("h", h);
    state->to(device_);
    std::vector<torch::Tensor> decay, noDecay;
    for (const auto& p : state->named_parameters())
        (p.value().dim() >= 2 && p.key() != "h.linear" ? decay : noDecay).push_back(p.value());
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                   torch::optim::AdamWOptions(s.learningRate).weight_decay(s.weightDecay)));
    groups.emplace_back(noDecay, std::make_unique<torch::optim::AdamWOptions>(
                                     torch::optim::AdamWOptions(s.learningRate).weight_decay(0.0)));
    torch::optim::AdamW optimizer(std::move(groups));

    const torch::Tensor source = fromMatrix(oldRows, device_);
    const torch::Tensor target = fromMatrix(newRows, device_);
    const int64_t n = source.size(0);
    const int64_t batch = std::min(s.batchSize, n);
    const int64_t stepsPerEpoch = n / batch;
    LoopPlan plan{"fct", "lr", s.steps, s.warmupSteps, s.learningRate, batch, s.validateEvery, s.checkpointEvery};
    AdapterTrainerLoop loop(plan, *state, optimizer, device_, hooks);
    auto transformed = [&] {
        auto map = [&](const torch::Tensor& x) { return h(x); };
        return std::make_pair(applyWithoutGrad(map, validation.oldSpace().images, device_),
                              applyWithoutGrad(map, validation.oldSpace().texts, device_));
    };
    if (validation.hasSplit())
        loop.setValidation([&] {
            const auto [imgs, texts] = transformed();
            return validation.galleryRecall(imgs, texts);
        });

    int64_t epoch = -1;
    std::vector<int64_t> order;
    auto lossAt = [&](int64_t step) {
        if (step / stepsPerEpoch != epoch) {
            epoch = step / stepsPerEpoch;
            order = epochOrder(s.seed, epoch, n);
        }
        const int64_t offset = (step % stepsPerEpoch) * batch;
        const std::vector<int64_t> rows(order.begin() + offset, order.begin() + offset + batch);
        const torch::Tensor y = gatherRows(target, rows);
        const torch::Tensor raw = h->unnormalized(gatherRows(source, rows));
        const torch::Tensor squared = (raw - y).pow(2).sum(1).mean();
        const torch::Tensor cosine = (1.0 - (F::normalize(raw, F::NormalizeFuncOptions().dim(1)) * y).sum(1)).mean();
        return squared + s.cosWeight * cosine;
    };
    FctOutcome outcome;
    outcome.loop = loop.run(lossAt, {});
    outcome.transform = h->weights();
    if (validation.hasSplit())
        std::tie(outcome.validationImages, outcome.validationTexts) = transformed();
    return outcome;
}

}  // namespace xbt

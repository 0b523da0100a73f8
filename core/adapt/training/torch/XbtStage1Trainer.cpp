#include "core/adapt/training/torch/XbtStage1Trainer.h"

#include "core/adapt/ClosedFormFit.h"
#include "core/adapt/training/torch/XbtProjectionModule.h"
#include "core/model/torch/TorchTensors.h"
#include "core/train/TrainingSchedule.h"
#include "core/util/Error.h"

#include <torch/torch.h>

#include <cmath>

namespace xbt {

namespace {
constexpr uint64_t kNoiseStream = 1;
}

XbtStage1Settings XbtStage1Settings::from(const AdapterSettingsReader& c)
{
    XbtStage1Settings s;
    s.hidden = c.integer("hidden");
    s.lambda = c.number("lambda");
    s.initialTemperature = c.number("initial_temperature");
    s.ridge = c.number("ridge");
    s.seed = static_cast<uint64_t>(c.integer("seed"));
    s.optimizer = OptimizerSettings::read(c, "stage1_");
    return s;
}

XbtStage1Trainer::XbtStage1Trainer(XbtStage1Settings settings, const Matrix& newTexts, const Matrix& oldTexts,
                                   const torch::Device& device)
    : settings_(settings), device_(device)
{
    if (newTexts.rows != oldTexts.rows)
        throw Error("stage 1 needs the same sentences in both models (" + std::to_string(newTexts.rows) + " vs " +
                    std::to_string(oldTexts.rows) + " rows)");
    if (newTexts.rows < 2)
        throw Error("stage 1 needs at least 2 corpus sentences; the corpus has " + std::to_string(newTexts.rows));
    leastSquares_ = fitLeastSquares(newTexts, oldTexts, settings_.ridge);
    newTexts_ = fromMatrix(newTexts, device);
    oldTexts_ = fromMatrix(oldTexts, device);
}

XbtStage1Outcome XbtStage1Trainer::train(double sigma, int64_t steps, const AdapterValidation& validation,
                                         const LoopHooks& hooks, const std::string& stage)
{
    const XbtStage1Settings& s = settings_;
    auto state = std::make_shared<torch::nn::Module>("XbtStage1");
    XbtProjection phi(leastSquares_, s.hidden, s.seed);
    state->register_module("phi", phi);
    torch::Tensor logitScale =
        state->register_parameter("logit_scale", torch::full({1}, std::log(1.0 / s.initialTemperature)));
    state->to(device_);

    torch::optim::AdamW optimizer = makeAdamW(*state, s.optimizer, "phi.linear");

    const int64_t n = newTexts_.size(0);
    const int64_t batch = std::min(s.optimizer.batchSize, n);
    const int64_t stepsPerEpoch = n / batch;
    const int64_t dims = newTexts_.size(1);
    OptimizerSettings run = s.optimizer;
    run.steps = steps;
    run.batchSize = batch;
    OptimizationLoop loop(stage, run, *state, optimizer, device_, hooks);
    if (!validation.empty())
        loop.setValidation([&] {
            auto map = [&](const torch::Tensor& z) { return phi(z); };
            return validation.queryRecall(
                applyWithoutGrad(map, validation.newTexts(), device_),
                validation.hasSplit() ? applyWithoutGrad(map, validation.newSpace().images, device_) : Matrix());
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
        torch::Tensor z = gatherRows(newTexts_, rows);
        const torch::Tensor y = gatherRows(oldTexts_, rows);
        if (sigma > 0.0) {
            at::Generator gen = stepGenerator(s.seed, kNoiseStream, step);
            const auto eps = torch::randn({batch, dims}, gen) / std::sqrt(static_cast<double>(dims));
            z = z + sigma * eps.to(device_);
        }
        const torch::Tensor p = phi(z);
        return symmetricInfoNce(p, y, logitScale) + s.lambda * (1.0 - (p * y).sum(1)).mean();
    };
    XbtStage1Outcome outcome;
    outcome.loop = loop.run(lossAt, [&] { clampLogitScale(logitScale); });
    outcome.phi = phi->weights();
    outcome.temperature = 1.0 / std::exp(logitScale.item<double>());
    return outcome;
}

}  // namespace xbt

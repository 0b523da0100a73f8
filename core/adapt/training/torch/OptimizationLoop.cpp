#include "core/adapt/training/torch/OptimizationLoop.h"

#include "core/train/TrainingSchedule.h"
#include "core/util/FileUtil.h"
#include "core/util/Error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <limits>

namespace xbt {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {
constexpr const char* kStateFile = "state.pt";
constexpr const char* kOptimizerFile = "optimizer.pt";
}  // namespace

OptimizationLoop::OptimizationLoop(std::string stage, OptimizerSettings settings, torch::nn::Module& state,
                                   torch::optim::Optimizer& optimizer, torch::Device device, LoopHooks hooks)
    : stage_(std::move(stage)), settings_(std::move(settings)), state_(state), optimizer_(optimizer), device_(device),
      hooks_(std::move(hooks))
{
    for (auto& group : optimizer_.param_groups())
        groupScale_.push_back(settings_.learningRate > 0.0 ? group.options().get_lr() / settings_.learningRate : 1.0);
}

void OptimizationLoop::save(int64_t step, bool finished) const
{
    if (!hooks_.checkpoint)
        return;
    hooks_.checkpoint->save(
        hooks_.identity, step,
        [&](const std::string& folder) {
            torch::serialize::OutputArchive state;
            state_.save(state);
            state.save_to((fs::path(folder) / kStateFile).string());
            torch::serialize::OutputArchive optimizer;
            optimizer_.save(optimizer);
            optimizer.save_to((fs::path(folder) / kOptimizerFile).string());
        },
        {{"stage", stage_}, {"finished", finished}});
}

void OptimizationLoop::load()
{
    requireRegularFile(hooks_.checkpoint->file(kStateFile));
    requireRegularFile(hooks_.checkpoint->file(kOptimizerFile));
    try {
        torch::serialize::InputArchive state;
        state.load_from(hooks_.checkpoint->file(kStateFile), device_);
        state_.load(state);
        torch::serialize::InputArchive optimizer;
        optimizer.load_from(hooks_.checkpoint->file(kOptimizerFile), device_);
        optimizer_.load(optimizer);
    } catch (const c10::Error& e) {
        throw Error(hooks_.checkpoint->dir() + ": cannot resume from this checkpoint (" + e.what_without_backtrace() +
                    "); delete the folder to train from the start");
    }
}

LoopResult OptimizationLoop::run(const std::function<torch::Tensor(int64_t)>& lossAt,
                                   const std::function<void()>& afterStep)
{
    LoopResult result;
    int64_t step = 0;
    bool alreadyFinished = false;
    if (hooks_.checkpoint && hooks_.checkpoint->matches(hooks_.identity)) {
        load();
        step = hooks_.checkpoint->step();
        alreadyFinished = hooks_.checkpoint->state().value("finished", false);
        result.resumedFromStep = step;
    }
    const double start = monotonicSeconds();
    double windowStart = start;
    int64_t windowSteps = 0;
    AdapterTrainProgress p;
    p.stage = stage_;
    p.totalSteps = settings_.steps;
    p.device = device_.str();
    // Short runs (sigma search, tests) still reach the peak rate.
    const int64_t warmup = std::min(settings_.warmupSteps, settings_.steps / 2);
    state_.train();
    for (; !alreadyFinished && step < settings_.steps; ++step) {
        if (hooks_.cancel.isCancelled()) {
            save(step, false);
            throw Cancelled();
        }
        const double lr = warmupCosineRate(settings_.learningRate, warmup, step, settings_.steps);
        auto& groups = optimizer_.param_groups();
        for (size_t g = 0; g < groups.size(); ++g)
            groups[g].options().set_lr(lr * groupScale_[g]);

        torch::Tensor loss = lossAt(step);
        if (step == hooks_.nanAtStep)
            loss = loss * std::numeric_limits<float>::quiet_NaN();
        const double lossValue = loss.item<double>();
        if (!std::isfinite(lossValue)) {
            const std::string advice = "Lower " + settings_.learningRateKey + " (now " +
                                       std::to_string(settings_.learningRate) + ") and run again to resume.";
            throw Error(stage_ + ": " +
                        (hooks_.checkpoint ? nonFiniteLossMessage(step, *hooks_.checkpoint, advice)
                                     : "training stopped at step " + std::to_string(step) +
                                           ": the loss is not a number. " + advice));
        }
        optimizer_.zero_grad();
        loss.backward();
        torch::nn::utils::clip_grad_norm_(state_.parameters(), 1.0);
        optimizer_.step();
        if (afterStep)
            afterStep();
        result.lastLoss = lossValue;
        ++windowSteps;

        const int64_t done = step + 1;
        p.step = done;
        p.loss = lossValue;
        p.learningRate = lr;
        const double now = monotonicSeconds();
        p.samplesPerSecond = static_cast<double>(windowSteps * settings_.batchSize) / std::max(1e-9, now - windowStart);
        p.validationT2I = p.validationI2T = -1.0;
        p.message.clear();
        const bool validateNow =
            validate_ && (done == settings_.steps || (settings_.validateEvery > 0 && done % settings_.validateEvery == 0));
        if (validateNow) {
            state_.eval();
            result.validation = validate_();
            state_.train();
            p.validationT2I = result.validation.textToImage;
            p.validationI2T = result.validation.imageToText;
            p.message = "validation " + result.validation.describe();
        }
        if (done < settings_.steps && settings_.checkpointEvery > 0 && done % settings_.checkpointEvery == 0)
            save(done, false);
        if (hooks_.progress)
            hooks_.progress(p);
        if (now - windowStart > 10.0) {
            windowStart = now;
            windowSteps = 0;
        }
    }
    state_.eval();
    if (alreadyFinished) {
        if (validate_)
            result.validation = validate_();
    } else {
        save(settings_.steps, true);
    }
    result.seconds = monotonicSeconds() - start;
    return result;
}

torch::optim::AdamW makeAdamW(const torch::nn::Module& module, const OptimizerSettings& settings,
                              const std::string& undecayed)
{
    std::vector<torch::Tensor> decay, noDecay;
    for (const auto& p : module.named_parameters())
        (p.value().dim() >= 2 && p.key() != undecayed ? decay : noDecay).push_back(p.value());
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                   torch::optim::AdamWOptions(settings.learningRate).weight_decay(settings.weightDecay)));
    groups.emplace_back(noDecay, std::make_unique<torch::optim::AdamWOptions>(
                                     torch::optim::AdamWOptions(settings.learningRate).weight_decay(0.0)));
    return torch::optim::AdamW(std::move(groups));
}

torch::Tensor queryToGalleryInfoNce(const torch::Tensor& queries, const torch::Tensor& gallery,
                                    const std::vector<int64_t>& group, const torch::Tensor& logitScale)
{
    namespace F = torch::nn::functional;
    const auto logits = logitScale.exp() * torch::matmul(queries, gallery.t());
    const auto ids = torch::tensor(group, torch::kLong).to(queries.device());
    auto targets = ids.unsqueeze(1).eq(ids.unsqueeze(0)).to(logits.dtype());
    targets = targets / targets.sum(1, true);
    return -(targets * F::log_softmax(logits, F::LogSoftmaxFuncOptions(1))).sum(1).mean();
}

void clampLogitScale(torch::Tensor& logitScale)
{
    torch::NoGradGuard noGrad;
    logitScale.clamp_(0.0, std::log(100.0));
}

at::Generator stepGenerator(uint64_t seed, uint64_t stream, int64_t step)
{
    // Distinct streams (noise, corpus sampling, ...) of one seed never share draws.
    return at::detail::createCPUGenerator(seed * 0x9E3779B97F4A7C15ULL + stream * 1000003ULL +
                                          static_cast<uint64_t>(step));
}

torch::Tensor gatherRows(const torch::Tensor& source, const std::vector<int64_t>& rows)
{
    const auto index = torch::tensor(rows, torch::kLong).to(source.device());
    return source.index_select(0, index);
}

}  // namespace xbt

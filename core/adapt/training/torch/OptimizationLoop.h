#pragma once
// The optimisation loop every adapter trainer (XBT stage 1 and 2, FCT) runs:
// warm-up + cosine learning rate, gradient clipping, progress with loss, rate
// and periodic validation, checkpoints every N steps (and on cancel) that a
// later run with the same identity resumes from, and a NaN guard that stops
// with the last good checkpoint kept. A step's data must depend only on
// (seed, step), so that a resumed run replays the uninterrupted one exactly.

#include "core/adapt/AdapterTraining.h"
#include "core/adapt/training/AdapterValidation.h"
#include "core/adapt/training/OptimizerSettings.h"
#include "core/train/TrainingCheckpoint.h"

#include "core/train/torch/ContrastiveLoss.h"

#include <torch/torch.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace xbt {

struct LoopResult {
    int64_t resumedFromStep = 0;  // 0 when started fresh
    double lastLoss = 0.0;
    double seconds = 0.0;
    ValidationRecall validation;  // the last measured
};

// What the caller of a training stage decides: where it checkpoints (none for
// sigma search's short runs), what it reports to, and the test fault.
struct LoopHooks {
    std::optional<TrainingCheckpoint> checkpoint;
    nlohmann::json identity;  // a checkpoint is resumed only when its identity equals this
    AdapterProgressCallback progress;
    CancelToken cancel;
    int64_t nanAtStep = -1;   // tests: make the loss NaN at this step
};

class OptimizationLoop {
public:
    // `stage` names the run in progress and errors ("stage 1", "fct", "sigma
    // search (sigma 0.1)"). `state` holds every trained parameter (saved in
    // checkpoints); the optimizer's groups were created at learning rates
    // proportional to the multiples they should keep (group lr /
    // settings.learningRate). settings.batchSize only feeds samples/s.
    OptimizationLoop(std::string stage, OptimizerSettings settings, torch::nn::Module& state,
                     torch::optim::Optimizer& optimizer, torch::Device device, LoopHooks hooks);

    void setValidation(std::function<ValidationRecall()> validate) { validate_ = std::move(validate); }

    // lossAt(step) returns the step's loss (a scalar with gradients);
    // afterStep() runs after each optimizer step (e.g. to clamp a temperature).
    LoopResult run(const std::function<torch::Tensor(int64_t)>& lossAt, const std::function<void()>& afterStep);

private:
    void save(int64_t step, bool finished) const;
    void load();

    std::string stage_;
    OptimizerSettings settings_;
    torch::nn::Module& state_;
    torch::optim::Optimizer& optimizer_;
    torch::Device device_;
    std::vector<double> groupScale_;
    LoopHooks hooks_;
    std::function<ValidationRecall()> validate_;
};

// AdamW at the settings' peak rate over a module's parameters: matrices are
// weight-decayed except the one named `undecayed` (a linear part anchored by
// its least-squares start, not by decay); vectors (biases, scales) never are.
torch::optim::AdamW makeAdamW(const torch::nn::Module& module, const OptimizerSettings& settings,
                              const std::string& undecayed);

// One-directional InfoNCE for retrieval from queries into a gallery, over a
// batch that may repeat a gallery item: row i's positives are the gallery
// rows j with group[j] == group[i] (e.g. two captions of one image), and its
// target spreads evenly over them.
torch::Tensor queryToGalleryInfoNce(const torch::Tensor& queries, const torch::Tensor& gallery,
                                    const std::vector<int64_t>& group, const torch::Tensor& logitScale);
// CLIP's clamp of a learned log(1 / temperature) to [0, log 100].
void clampLogitScale(torch::Tensor& logitScale);
// A seeded CPU generator for one step's random draws (noise, init).
at::Generator stepGenerator(uint64_t seed, uint64_t stream, int64_t step);
// Rows of `source` picked by `rows`, on `device`.
torch::Tensor gatherRows(const torch::Tensor& source, const std::vector<int64_t>& rows);

}  // namespace xbt

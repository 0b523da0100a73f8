#pragma once
// What every trained stage of an adapter (XBT stage 1, stage 2, FCT) tells its
// optimisation loop: how many steps of how many rows, AdamW's peak learning
// rate with its warm-up and weight decay, and how often to validate and
// checkpoint. Each method's settings embed one, read from the settings table
// (AdapterSettingsTable.cpp), where the keys' defaults and help live.

#include "core/adapt/training/AdapterSettingsTable.h"

#include <cstdint>
#include <string>

namespace xbt {

struct OptimizerSettings {
    int64_t steps = 0;
    int64_t batchSize = 0;        // rows per step (a trainer lowers it to the rows it has)
    int64_t warmupSteps = 0;      // linear warm-up to the peak, then cosine decay
    double learningRate = 0.0;    // peak; a trainer may give parameter groups multiples of it
    double weightDecay = 0.0;     // AdamW's, on the parameters each trainer chooses
    int64_t validateEvery = 0;    // 0: only after the last step
    int64_t checkpointEvery = 0;  // 0: only when cancelled (and when finished)
    std::string learningRateKey;  // the setting learningRate came from: a NaN loss's advice names it

    // A stage's own keys carry its prefix ("stage1_": stage1_steps,
    // stage1_batch_size, stage1_warmup_steps, stage1_lr; FCT's have none);
    // weight_decay, validate_every and checkpoint_every are one per method.
    static OptimizerSettings read(const AdapterSettingsReader& settings, const std::string& prefix);
};

}  // namespace xbt

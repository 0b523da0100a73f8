#include "core/adapt/training/OptimizerSettings.h"

namespace xbt {

OptimizerSettings OptimizerSettings::read(const AdapterSettingsReader& c, const std::string& prefix)
{
    OptimizerSettings s;
    s.steps = c.integer(prefix + "steps");
    s.batchSize = c.integer(prefix + "batch_size");
    s.warmupSteps = c.integer(prefix + "warmup_steps");
    s.learningRateKey = prefix + "lr";
    s.learningRate = c.number(s.learningRateKey);
    s.weightDecay = c.number("weight_decay");
    s.validateEvery = c.integer("validate_every");
    s.checkpointEvery = c.integer("checkpoint_every");
    return s;
}

}  // namespace xbt

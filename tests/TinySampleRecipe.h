#pragma once
// The smallest sample-model recipe that still trains visibly in seconds on
// CPU: shared by the tests that train built-in models (base and compatible).

#include "core/model/builtin/SampleModelConfig.h"

namespace xbt::test {

// 96 training and 24 validation scenes at 32 px, batches of 16: 6 steps an epoch.
inline SampleModelConfig tinySampleRecipe(int embeddingDim = 16, int epochs = 4)
{
    SampleModelConfig c;
    c.name = "tiny";
    c.embeddingDim = embeddingDim;
    c.image.tower = "cnn-spatial";
    c.image.resolution = 32;
    c.image.channels = {8, 16};
    c.image.blocksPerStage = 0;
    c.text.tower = "transformer";
    c.text.width = 16;
    c.text.layers = 1;
    c.text.heads = 2;
    c.text.contextLength = 40;
    c.data.trainCount = 96;
    c.data.valCount = 24;
    c.training.epochs = epochs;
    c.training.batchSize = 16;
    c.training.learningRate = 3e-3;
    c.training.warmupSteps = 2;
    c.training.checkpointEvery = 4;
    c.training.threads = 2;
    return c;
}

}  // namespace xbt::test

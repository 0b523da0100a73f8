#pragma once
// Internal: the engine behind trainAdapter() (core/adapt/AdapterTraining.h,
// the public entry point). One run prepares the data a method needs (models,
// cached embeddings, aligned splits), runs the method, measures validation
// recall and saves the adapter. Tests call it directly to inject faults and
// watch which models get loaded.

#include "core/adapt/AdapterTraining.h"

#include <cstdint>
#include <functional>
#include <string>

namespace xbt {

// What a test may observe or break in a run; empty for every real one.
struct AdapterTrainingProbes {
    // Make the loss NaN at `nanStep` of `nanStage` ("stage 1", "stage 2", "fct").
    std::string nanStage;
    int64_t nanStep = -1;
    // Told of every model load, with its role ("old" or "new") and spec.
    std::function<void(const std::string& role, const std::string& spec)> onModelLoad;
};

AdapterTrainResult runAdapterTraining(const AdapterTrainRequest& request, const AdapterProgressCallback& progress,
                                      const CancelToken& cancel, const AdapterTrainingProbes& probes = {});

}  // namespace xbt

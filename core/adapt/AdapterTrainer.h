#pragma once
// The engine behind trainAdapter(): prepares the data a method needs (models,
// cached embeddings, aligned splits), runs the method, measures validation
// recall and saves the adapter. A class rather than the bare function so that
// tests can inject faults and watch which models get loaded.

#include "core/adapt/AdapterTraining.h"

#include <functional>
#include <string>

namespace xbt {

class AdapterTrainer {
public:
    AdapterTrainResult run(const AdapterTrainRequest& request, const AdapterProgressCallback& progress = {},
                           const CancelToken& cancel = {});

    // Tests: make the loss NaN at `step` of `stage` ("stage 1", "stage 2", "fct").
    void injectNanAt(std::string stage, int64_t step)
    {
        nanStage_ = std::move(stage);
        nanStep_ = step;
    }
    // Tests: told of every model load, with its role ("old" or "new") and spec.
    using ModelLoadHook = std::function<void(const std::string& role, const std::string& spec)>;
    void setModelLoadHook(ModelLoadHook hook) { modelLoadHook_ = std::move(hook); }

    // Where training NAME checkpoints: WS/adapters/.training/NAME.
    static std::string checkpointDirectory(const std::string& workspaceDir, const std::string& name);

private:
    friend class AdapterTrainingRun;
    std::string nanStage_;
    int64_t nanStep_ = -1;
    ModelLoadHook modelLoadHook_;
};

}  // namespace xbt

#pragma once
// One entry point that trains any adapter method and saves it in the
// workspace: used by `xbt train` and by the workbench's Train panel. How it
// does so is internal, in core/adapt/training/ (its torch/ folder holds the
// parts that include LibTorch).
//
//   lstsq, procrustes  closed form on text pairs (and image pairs when given)
//   xbt-stage1         phi on text only (corpus), noise injection
//   xbt                stage 1, then stage 2 on a few image-text pairs with
//                      LoRA (built-in new model) or a feature adapter (TorchScript),
//                      and optionally unlabelled images with pseudo captions
//   fct                gallery transform old -> new, fitted on pairs' image
//                      embeddings (and corpus texts), applied to stored vectors
//
// Long stages checkpoint into WS/adapters/.training/NAME/ and resume from
// there when run again with the same request; cancel leaves the checkpoint.

#include "core/adapt/AdapterInfo.h"
#include "core/model/ModelOptions.h"
#include "core/util/Progress.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace xbt {

struct AdapterTrainRequest {
    std::string method;          // lstsq | procrustes | xbt-stage1 | xbt | fct
    std::string name;            // adapter name in the workspace (default: the method)
    std::string workspaceDir;
    std::string oldModel;        // model specs, as for --model
    std::string newModel;
    ModelOptions modelOptions;
    std::string corpusFile;      // one sentence per line (text-only data)
    std::string pairsDir;        // a split folder: images + captions.tsv
    std::string validationDir;   // optional split folder for validation recall
    // xbt: a folder of images without captions (a sample of the gallery's
    // own, say): pseudo pairs for stage 2's caption -> stored image term,
    // captioned by the corpus sentences the new model ranks first for them.
    std::string unlabeledDir;
    std::string gallery;         // fct: the gallery whose stored vectors it moves (optional)
    // The model that built `gallery` (name and fingerprint), as its store
    // records it: filled by whoever reads galleries (UpgradeSession), checked
    // here against the old model before any training.
    std::string galleryModelName;
    std::string galleryModelFingerprint;
    nlohmann::json config = nlohmann::json::object();  // method settings; missing keys take defaults
    std::string device = "auto";
    bool resume = true;          // continue from a matching checkpoint when one exists
};

struct AdapterTrainProgress {
    std::string stage;           // "embedding corpus", "stage 1", "stage 2", ...
    int64_t step = 0;
    int64_t totalSteps = 0;
    double loss = 0.0;
    double learningRate = 0.0;
    double samplesPerSecond = 0.0;
    double validationT2I = -1.0;  // R@1 as fractions, < 0 when not measured at this step
    double validationI2T = -1.0;
    std::string device;
    std::string message;          // free text for logs
};
using AdapterProgressCallback = std::function<void(const AdapterTrainProgress&)>;

struct AdapterTrainResult {
    AdapterInfo info;            // as saved
    std::string adapterDir;
    int64_t resumedFromStep = 0;
    double seconds = 0.0;
};

// Every method's settings with their defaults and a one-line description:
// {"xbt": {"stage1_steps": {"default": 2000, "help": "..."}, ...}, ...}
nlohmann::json adapterMethodSettings();

AdapterTrainResult trainAdapter(const AdapterTrainRequest& request, const AdapterProgressCallback& progress = {},
                                const CancelToken& cancel = {});

}  // namespace xbt

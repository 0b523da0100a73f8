#pragma once
// The whole evaluation of an upgrade on one captioned split, as `xbt eval`
// and the workbench's Evaluate panel both run it: embed the split with the
// old and the new model (cached in the workspace when there is one), apply
// every chosen adapter of the workspace (query adapters to the new model's
// embeddings, or through the adapted image tower for LoRA; gallery
// transforms to the old embeddings), embed the split with every further
// model compared, then evaluate every configuration. A model trained
// compatible with the old one (ModelInfo::compatibleWith) is evaluated
// against the old gallery through its comparable part.

#include "core/embed/BatchEmbedder.h"
#include "core/eval/EvaluationResults.h"
#include "core/model/ModelOptions.h"
#include "core/util/Progress.h"

#include <optional>
#include <string>
#include <vector>

namespace xbt {

struct EvaluationRequest {
    std::string oldModel;        // model specs, as for --model
    std::string newModel;
    // Further new models (xbt eval --compare), each evaluated against the old
    // gallery (<name>->old) and its own (<name>-><name>).
    std::vector<std::string> compareModels;
    ModelOptions modelOptions;
    EmbedOptions embedOptions;
    std::string splitDir;        // images + captions.tsv
    std::string workspaceDir;    // optional: embedding cache and adapters
    // "all" (every adapter trained between these two models), "none", or
    // comma-separated names (an adapter of other models is then an error).
    std::string adapters = "all";
    // Adds the diagnostic ceiling (CeilingFit.h): a query map fitted on this
    // split's own pairs, the most a query adapter could take from the old gallery.
    bool ceiling = false;
    // Adds the backfill curve (EvaluationResults.h) of the recommended
    // adapter (else the first query adapter) at backfillFractions.
    bool backfillCurve = false;
    std::vector<double> backfillFractions = {0.0, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0};
    // The query log of the "queries" backfill order: one text query per line
    // (the demo list format); empty: the workspace's demo list when there is
    // one. Never the evaluated split's own captions.
    std::string queriesFile;
    EvaluationOptions options;
};

struct EvaluationRun {
    EvaluationOutcome outcome;
    std::vector<ImageFailure> failures;      // images some model could not read (left out)
    std::vector<std::string> skippedAdapters;  // "name: why", for adapters of other models
};

EvaluationRun runEvaluation(const EvaluationRequest& request, const ProgressCallback& progress = {},
                            const CancelToken& cancel = {});

class LoadedModels;

// The score calibration of a mixed search (UpgradePaths.h) through query
// adapter `adapter` with new model `newModelSpec`, fitted on the
// validation split the adapter's metadata names (embedded with the old and
// the new model through the workspace's cache), as `xbt eval
// --backfill-curve` fits it. Nullopt when the adapter names no validation
// split or that split is gone.
std::optional<BackfillCalibration> fitMixingCalibration(const std::string& workspaceDir, const std::string& adapter,
                                                        const std::string& newModelSpec, LoadedModels& models,
                                                        const ProgressCallback& progress = {},
                                                        const CancelToken& cancel = {});

// "old,new,xbt" style adapter lists: "all", "none" or names.
std::vector<std::string> parseAdapterList(const std::string& list);

}  // namespace xbt

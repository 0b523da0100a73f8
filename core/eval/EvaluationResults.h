#pragma once
// Every configuration of an evaluation, side by side (see METHODS.md):
// old->old, new->new, raw new->old, new+adapter->old for every query adapter,
// new->transformed-old for every gallery transform; the compatibility
// criterion and gain recovery G per adapter; a matrix of R@1 for every query
// space against every gallery space; the backfill cost avoided. Written as
// results.json, recall.csv and a Markdown table. The CLI and the workbench
// both produce their numbers here, so they always agree.

#include "core/eval/CompatibilityCriterion.h"
#include "core/eval/ConfigurationEvaluation.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace xbt {

struct CompatibilityDirection {
    bool available = false;
    CriterionVerdict r1 = CriterionVerdict::WithinNoise, r5 = CriterionVerdict::WithinNoise,
                     r10 = CriterionVerdict::WithinNoise;
    std::optional<double> g1, g5, g10;
};

struct CompatibilityEntry {
    std::string adapter;
    std::string configuration;  // "new+xbt->old"
    CompatibilityDirection textToImage;
    CompatibilityDirection imageToText;
};

struct CompatibilityMatrix {
    std::vector<std::string> rows;     // query spaces
    std::vector<std::string> columns;  // gallery spaces
    // R@1 fractions; unset: not comparable.
    std::vector<std::vector<std::optional<double>>> textToImage;
    std::vector<std::vector<std::optional<double>>> imageToText;
};

struct BackfillEstimate {
    int64_t galleryImages = 0;
    double imagesPerSecond = 0.0;  // the new model's measured rate (0: not measured)
    double seconds = 0.0;
};

struct EvaluationOptions {
    int maxK = 100;
    BootstrapOptions bootstrap;
};

struct EvaluationOutcome {
    std::string command;
    std::string date;  // ISO 8601 UTC
    std::string splitFolder;
    int64_t images = 0;
    int64_t captions = 0;
    std::vector<std::string> categories;
    EvaluationOptions options;
    std::vector<EmbeddingSpace> spaces;  // embeddings dropped (kept: names, models, fingerprints, dims)
    std::vector<int64_t> spaceDims;
    std::vector<ConfigurationResult> configurations;
    std::vector<CompatibilityEntry> compatibility;
    CompatibilityMatrix matrix;
    BackfillEstimate backfill;

    const ConfigurationResult* find(ConfigurationRole role) const;
};

// Evaluates every configuration the spaces allow (one Old and one New space
// are required). `spaces` keep their embeddings; the outcome keeps only
// their descriptions.
EvaluationOutcome evaluateSpaces(const std::vector<EmbeddingSpace>& spaces, const CaptionedSplit& split,
                                 const EvaluationOptions& options = {});

nlohmann::json evaluationToJson(const EvaluationOutcome& outcome);
std::string evaluationMarkdown(const EvaluationOutcome& outcome);
// One row per configuration, direction and K.
std::string evaluationRecallCsv(const EvaluationOutcome& outcome);

}  // namespace xbt

#pragma once
// Every configuration of an evaluation, side by side (see METHODS.md):
// old->old, new->new, raw new->old, new+adapter->old for every query adapter,
// new->transformed-old for every gallery transform; the compatibility
// criterion and gain recovery G per adapter; a matrix of R@1 for every query
// space against every gallery space; the backfill cost avoided. This is the
// one result type: the CLI, the workbench and the reports all show it, its
// JSON form (EvaluationJson.h) is results.json, and EvaluationFiles.h writes
// its data files.

#include "core/eval/CompatibilityCriterion.h"
#include "core/eval/ConfigurationEvaluation.h"

#include <optional>
#include <string>
#include <vector>

namespace xbt {

struct CompatibilityDirection {
    bool available = false;
    CriterionVerdict r1 = CriterionVerdict::WithinNoise, r5 = CriterionVerdict::WithinNoise,
                     r10 = CriterionVerdict::WithinNoise;
    std::optional<double> g1, g5, g10;
    // r1, r5 or r10 and G by K (one of kReportedK); throws xbt::Error for another K.
    CriterionVerdict verdictAt(int k) const;
    const std::optional<double>& gainAt(int k) const;
};

struct CompatibilityEntry {
    std::string adapter;
    std::string configuration;  // "new+xbt->old"
    CompatibilityDirection textToImage;
    CompatibilityDirection imageToText;
    const CompatibilityDirection& in(RetrievalDirection d) const;
};

struct CompatibilityMatrix {
    std::vector<std::string> rows;     // query spaces
    std::vector<std::string> columns;  // gallery spaces
    // R@1 fractions; unset: not comparable.
    std::vector<std::vector<std::optional<double>>> textToImage;
    std::vector<std::vector<std::optional<double>>> imageToText;
    const std::vector<std::vector<std::optional<double>>>& in(RetrievalDirection d) const;
};

struct BackfillEstimate {
    int64_t galleryImages = 0;     // 0: not estimated (results.json files from before the estimate)
    double imagesPerSecond = 0.0;  // the new model's measured rate (0: not measured)
    double seconds = 0.0;
    std::string note;  // what the rate means for a large gallery; empty when not measured
};

struct EvaluationOptions {
    int maxK = 100;
    BootstrapOptions bootstrap;  // samples 0: no intervals
};

struct EvaluationOutcome {
    std::string command;
    std::string date;  // ISO 8601 UTC
    std::string splitFolder;
    int64_t images = 0;
    int64_t captions = 0;
    std::vector<std::string> categories;
    std::string tieRule;  // how ranks treat equal scores, in words
    EvaluationOptions options;
    std::vector<EmbeddingSpace> spaces;  // embeddings dropped (kept: names, models, fingerprints, rates)
    std::vector<int64_t> spaceDims;      // one per space (0: unknown)
    std::vector<ConfigurationResult> configurations;
    std::vector<CompatibilityEntry> compatibility;
    CompatibilityMatrix matrix;
    BackfillEstimate backfill;

    // The first comparable configuration with this role, or nullptr.
    const ConfigurationResult* find(ConfigurationRole role) const;
    const ConfigurationResult* findConfiguration(const std::string& name) const;
    // The first space of this kind (the old or the new model's), or nullptr.
    const EmbeddingSpace* findSpace(SpaceKind kind) const;
    // Whether the recall summaries carry bootstrap intervals (else each is [R, R]).
    bool hasIntervals() const { return options.bootstrap.samples > 0; }
};

// Evaluates every configuration the spaces allow (one Old and one New space
// are required). `spaces` keep their embeddings; the outcome keeps only
// their descriptions.
EvaluationOutcome evaluateSpaces(const std::vector<EmbeddingSpace>& spaces, const CaptionedSplit& split,
                                 const EvaluationOptions& options = {});

}  // namespace xbt

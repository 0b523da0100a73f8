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
#include "core/eval/GalleryTies.h"
#include "core/eval/UpgradePaths.h"

#include <optional>
#include <string>
#include <vector>

namespace xbt {

struct CompatibilityDirection {
    bool available = false;
    CriterionVerdict r1 = CriterionVerdict::WithinNoise, r5 = CriterionVerdict::WithinNoise,
                     r10 = CriterionVerdict::WithinNoise;
    std::optional<double> g1, g5, g10;
    // Gain recovery against the diagnostic ceiling (xbt eval --ceiling):
    // (adapted - old->old) / (ceiling - old->old); unset without one.
    std::optional<double> gc1, gc5, gc10;
    // r1, r5 or r10 and G by K (one of kReportedK); throws xbt::Error for another K.
    CriterionVerdict verdictAt(int k) const;
    const std::optional<double>& gainAt(int k) const;
    const std::optional<double>& ceilingGainAt(int k) const;
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

// Which adapter to deploy, decided on each adapter's VALIDATION figures (as
// stored when it was trained), never on the evaluated split.
struct Recommendation {
    bool decided = false;   // false: no adapter took part (nothing to say)
    std::string adapter;    // empty: keep today's system
    std::string reason;     // one sentence
};

struct EvaluationOptions {
    int maxK = 100;
    BootstrapOptions bootstrap;  // samples 0: no intervals
    // Re-ranking depths: each adds "<adapter row>+rerank@K" after every
    // query adapter's row (empty: none).
    std::vector<int> rerankK;
};

// Recall of a partly backfilled gallery (UpgradePaths.h): one series per
// backfill order and score mix, a point per backfilled fraction.
struct BackfillPoint {
    double fraction = 0.0;
    RecallSummary textToImage, imageToText;
};
struct BackfillSeries {
    std::string order;  // "random", "uncertainty", "queries"
    std::string mix;    // "raw", "calibrated"
    std::vector<BackfillPoint> points;
};
// The score calibration of each direction and where it was fitted.
struct BackfillCalibration {
    ScoreCalibration textToImage, imageToText;
    std::string fittedOn;  // the validation split's folder
};

struct BackfillCurve {
    std::string adapter;  // the adapter that serves the items not yet backfilled
    std::string calibration;  // where the "calibrated" series' calibration was fitted (empty: none)
    std::vector<BackfillSeries> series;
    // The order and mixing that did best on the VALIDATION split (mean R@1
    // of both directions over the fractions strictly between 0 and 100%):
    // what the decision table shows. Empty: no validation split, the
    // default (uncertainty) is shown.
    std::string chosenOrder, chosenMix;
    // What a text query of a partly backfilled gallery costs (the adapter's
    // and the new model's query, both spaces searched); unset: not measured.
    std::optional<QueryLatency> mixedTextQueryLatency;
    bool empty() const { return series.empty(); }
};

// The series of `validation` with the highest mean R@1 (both directions)
// over its partial fractions; {"", ""} when it has none.
std::pair<std::string, std::string> bestBackfillSeries(const BackfillCurve& validation);

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
    Recommendation recommendation;
    BackfillCurve backfillCurve;  // xbt eval --backfill-curve
    // With the ceiling (xbt eval --ceiling): what the old gallery cannot
    // tell apart, the most R@1 any query can reach against it (GalleryTies.h).
    std::optional<GalleryTieBound> tieBound;

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

// The backfill curve of `adapter` (a QueryAdapter space among `spaces`) at
// the given fractions of the gallery's images, for each order: raw score
// mixing, and calibrated mixing when `calibration` is given (fitted on a
// validation split, never on this one). `logQueries`: a query log mapped by
// the adapter (empty: no "queries" order).
BackfillCurve evaluateBackfillCurve(const std::vector<EmbeddingSpace>& spaces, const std::string& adapter,
                                    const CaptionedSplit& split, const Matrix& logQueries,
                                    const std::vector<double>& fractions, const BackfillCalibration* calibration,
                                    const BootstrapOptions& bootstrap = {0, 0, 0.95});

}  // namespace xbt

#pragma once
// The three numbers demo mode shows above the columns, for a stakeholder who
// reads nothing else: text-to-image R@1 kept or gained by the compatible
// upgrade (from the workspace's latest evaluation), how many images the old
// gallery keeps without re-embedding, and the re-embedding time that saves
// at the new model's measured rate (the evaluation's backfill figure).
// Loading touches disk and the gallery index: call it on a worker thread.

#include "core/eval/UpgradeDecision.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xbt {
class UpgradeSession;
}  // namespace xbt

namespace xbt::ui {


struct DemoHeadline {
    std::string adapter;
    // Recall, fractions; unset when no evaluation measured them.
    std::optional<double> todayR1;
    std::optional<double> adaptedR1;
    std::optional<double> backfillR1;
    // Re-ranking the adapter's top K with the new model (the evaluation's
    // deepest "+rerank@K" of this adapter), when measured.
    std::optional<double> rerankR1;
    int rerankK = 0;
    std::string resultsFile;  // the evaluation the recall comes from
    std::string resultsDate;
    std::string recallMissing;  // why recall is unset, in words
    // The same evaluation's upgrade decision table (empty when it measured
    // no re-ranking or backfill curve).
    std::vector<UpgradePathRow> paths;

    int64_t galleryImages = -1;  // the old gallery's images (-1: unknown)
    std::string galleryError;
    double imagesPerSecond = 0.0;  // the new model's measured rate (0: not measured)

    std::optional<double> secondsSaved() const;
};

// The newest results.json under WS/results whose old and new model
// fingerprints are these (an evaluation of another upgrade says nothing
// about this one); empty when there is none.
std::string latestEvaluationResults(const std::string& workspaceDir, const std::string& oldFingerprint,
                                    const std::string& newFingerprint);

DemoHeadline loadDemoHeadline(UpgradeSession& session, const std::string& adapter,
                              const std::string& oldFingerprint, const std::string& newFingerprint);

// "42 s", "3.5 min", "2.1 h", "4.0 days": a duration as people say it.
QString spokenDuration(double seconds);

}  // namespace xbt::ui

#pragma once
// The upgrade decision table (issue 17): one row per path a team can take —
// today, each adapter, each re-ranking, partial backfills, the full
// re-index, compatible models — with R@1, negative flips and what the path
// re-embeds, once and per query, and how long that takes at the new model's
// measured rate. The numbers are the configurations' own; results.md, the
// report and the Evaluate panel all show these rows.

#include "core/eval/EvaluationResults.h"

#include <string>
#include <vector>

namespace xbt {

struct UpgradePathRow {
    std::string path;  // "`new+xbt->old+rerank@50` (adapter 'xbt', its top 50 ...)"
    double t2iR1 = 0.0, i2tR1 = 0.0;
    std::string flipsT2I, flipsI2T;  // "5.2" (percent) or "–"
    std::string imagesOnce, imagesPerQuery;
    std::string timeOnce, time10M, timePerQuery;  // "3.1 min", "n/a" (rate not measured) or "–"
    // Vector bytes stored per gallery item (float32) on this path: "512 B",
    // "512 B + 26% of 1.0 KiB", or "–" when the sizes are not known.
    std::string storagePerItem;
    // A text query's latency on this path, "p50 / p95" in ms, or "–" when
    // it was not measured.
    std::string queryLatency;
};

// Empty unless the evaluation measured a re-ranking or a backfill curve.
std::vector<UpgradePathRow> upgradePathRows(const EvaluationOutcome& outcome);

// The columns after the path and the two R@1s, in the order every view
// (results.md, the report, the Evaluate panel) shows them, and a row's cells
// for them.
const std::vector<std::string>& upgradePathTextHeaders();
std::vector<std::string> upgradePathTextCells(const UpgradePathRow& row);

}  // namespace xbt

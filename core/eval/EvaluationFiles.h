#pragma once
// The data files of an evaluation, the same wherever it ran (xbt eval,
// xbt demo, the workbench): results.json (EvaluationJson.h), recall.csv and
// results.md. The charts and the report beside them come from ui/charts
// (EvaluationOutputs.h), which calls writeEvaluationData first.

#include "core/eval/EvaluationResults.h"

#include <string>
#include <vector>

namespace xbt {

// The Markdown tables `xbt eval` prints and writes as results.md.
std::string evaluationMarkdown(const EvaluationOutcome& outcome);
// The "cost of compatibility" table of results.md: each compared model that
// was trained compatible with the old one, on its own gallery, against the
// independently trained new model's new->new (empty when there is none).
std::string compatibilityCostMarkdown(const EvaluationOutcome& outcome);
// With the ceiling: the most R@1 any query can reach against the old gallery (GalleryTies.h).
std::string tieBoundMarkdown(const EvaluationOutcome& outcome);
// The negative-flips table of results.md: per configuration, the share of
// queries old->old answers right within K=1 / 10 that it answers wrong.
std::string negativeFlipsMarkdown(const EvaluationOutcome& outcome);
// The backfill curve (R@1 per order, mix and fraction; empty without one).
std::string backfillCurveMarkdown(const EvaluationOutcome& outcome);
// The upgrade decision table: one row per path (today, each adapter, each
// re-ranking, partial backfills, full re-index, compatible models) with R@1,
// negative flips and what it re-embeds, once and per query, and how long
// that takes at the measured rate.
std::string decisionTableMarkdown(const EvaluationOutcome& outcome);
// One row per configuration, direction and K.
std::string evaluationRecallCsv(const EvaluationOutcome& outcome);

// Writes results.json, recall.csv and results.md into outDir (created if
// missing), each atomically; returns their paths in that order.
std::vector<std::string> writeEvaluationData(const EvaluationOutcome& outcome, const std::string& outDir);

}  // namespace xbt

#pragma once
// Writes an evaluation's files into a folder and prints its Markdown table:
// results.json, recall.csv, results.md and, in the Qt build, the charts and
// the report. Shared by `xbt eval` and `xbt demo`.

#include "core/eval/EvaluationResults.h"

#include <string>

namespace xbt::cli {

void writeEvaluationOutputs(const EvaluationOutcome& outcome, const std::string& outDir);

}  // namespace xbt::cli

#pragma once
// Writes an evaluation's files into a folder and prints its Markdown table:
// in the Qt build every file (ui/charts/EvaluationOutputs.h), without Qt the
// data files (results.json, recall.csv, results.md) and a word that the
// charts and the report need the Qt build. Shared by `xbt eval` and `xbt demo`.

#include "core/eval/EvaluationResults.h"

#include <string>

namespace xbt::cli {

void saveEvaluation(const EvaluationOutcome& outcome, const std::string& outDir);

}  // namespace xbt::cli

#pragma once
// results.json: the JSON form of an EvaluationOutcome, written by every
// evaluation and read back by `xbt report` and the workbench's demo mode.
// Reading is tolerant of files older xbt versions wrote (no roles, intervals,
// adapters, matrix or backfill): missing or null fields take their
// "not measured" values (BackfillEstimate, EvaluationOptions) and the matrix
// is rebuilt from the configurations. A field of the wrong shape is an
// xbt::Error naming its JSON path, e.g. "configurations[3].text_to_image.R@1".
// Per-query ranks are not in the file: an outcome read back has curves,
// summaries and verdicts, and empty ranks.

#include "core/eval/EvaluationResults.h"

#include <nlohmann/json.hpp>

#include <string>

namespace xbt {

nlohmann::json evaluationToJson(const EvaluationOutcome& outcome);
// `where` names the source in errors, e.g. the file's path.
EvaluationOutcome evaluationFromJson(const nlohmann::json& results, const std::string& where);
// readJsonFile(path), then evaluationFromJson.
EvaluationOutcome readEvaluationFile(const std::string& path);

}  // namespace xbt

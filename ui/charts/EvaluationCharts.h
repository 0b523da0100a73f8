#pragma once
// Charts of an evaluation's results.json, rendered off screen into images so
// that the CLI can make them without a display. Call ensureGuiApplication()
// (OffscreenGui.h) first.

#include "ui/charts/ReportData.h"

#include <QImage>
#include <QSize>

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace xbt {

// Recall@K (%) against K for every comparable configuration in one direction
// ("text_to_image" or "image_to_text"). Today and the full backfill are the
// grey/black references, adapters are coloured, raw incompatible comparisons
// dashed; dots mark K = 1, 5, 10.
QImage renderRecallChart(const nlohmann::json& results, const std::string& direction, QSize size = {1200, 800});
QImage renderRecallChart(const charts::EvaluationResults& results, charts::Direction direction,
                         QSize size = {1200, 800});

// Heat map of R@1: rows are query spaces (model or model+adapter), columns
// gallery spaces; "n/c" in grey where not comparable.
QImage renderCompatibilityMatrix(const nlohmann::json& results, const std::string& direction,
                                 QSize size = {1200, 800});
QImage renderCompatibilityMatrix(const charts::EvaluationResults& results, charts::Direction direction,
                                 QSize size = {1200, 800});

}  // namespace xbt

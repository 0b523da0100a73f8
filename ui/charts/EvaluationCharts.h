#pragma once
// Charts of an evaluation, rendered off screen into images so that the CLI
// can make them without a display. Call ensureGuiApplication()
// (OffscreenGui.h) first. They draw only what results.json holds (curves and
// summaries, not per-query ranks), so an outcome read back from the file
// draws the same.

#include "core/eval/EvaluationResults.h"

#include <QImage>
#include <QSize>

namespace xbt {

// Recall@K (%) against K for every comparable configuration in one
// direction. Today and the full backfill are the grey/black references,
// adapters are coloured, raw incompatible comparisons dashed; dots mark
// K = 1, 5, 10.
QImage renderRecallChart(const EvaluationOutcome& results, RetrievalDirection direction, QSize size = {1200, 800});

// Heat map of R@1: rows are query spaces (model or model+adapter), columns
// gallery spaces; "n/c" in grey where not comparable.
// R@1 (%) against the share of the gallery backfilled (0-100%), one line
// per order (colour) and score mixing (raw solid, calibrated dashed), from
// results.backfillCurve (xbt eval --backfill-curve).
QImage renderBackfillCurveChart(const EvaluationOutcome& results, RetrievalDirection direction,
                                QSize size = {1200, 800});

QImage renderCompatibilityMatrix(const EvaluationOutcome& results, RetrievalDirection direction,
                                 QSize size = {1200, 800});

}  // namespace xbt

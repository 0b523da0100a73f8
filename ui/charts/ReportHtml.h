#pragma once
// The evaluation report as one HTML document. The same text serves the
// browser file (charts as data: URIs) and the PDF (charts as QTextDocument
// resources), so the two never say different things.

#include "core/eval/EvaluationResults.h"

#include <QSize>
#include <QString>

#include <functional>

namespace xbt::charts {

enum class ChartKind { Recall, Matrix, BackfillCurve };
// The file a chart is written to: "recall_t2i.png", "matrix_i2t.png",
// "backfill_t2i.png", ...
QString chartFileName(ChartKind kind, RetrievalDirection direction);

// What differs between the browser file and the PDF.
struct ReportMedium {
    std::function<QString(const QString& chartFileName)> chartSource;  // what goes into <img src="...">
    QSize chartSize;                                                   // display size in CSS pixels
    QString pageStyle;  // extra CSS, e.g. the body's width and margins in a browser
};

QString reportHtml(const EvaluationOutcome& results, const ReportMedium& medium);

}  // namespace xbt::charts

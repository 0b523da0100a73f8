#pragma once
// The charts and the stakeholder report of one evaluation: four chart PNGs,
// a self-contained HTML report (charts embedded) and the same report as a
// PDF. `xbt report` writes these alone, from a results.json read back;
// EvaluationOutputs.h writes them beside the evaluation's data files.

#include "core/eval/EvaluationResults.h"

#include <QImage>
#include <QMap>
#include <QString>

#include <string>
#include <vector>

namespace xbt {

struct ReportFiles {
    std::string html;
    std::string pdf;
    std::vector<std::string> pngs;
};

// The report's Qt Charts by file name: the recall charts (recall_t2i.png,
// recall_i2t.png) and, with a backfill curve, its charts (backfill_t2i.png,
// backfill_i2t.png). Qt Charts are QGraphicsWidgets that use the application's style and fonts:
// a GUI program must make them on its GUI thread. Creates the QApplication
// it needs (see OffscreenGui.h).
using RecallChartImages = QMap<QString, QImage>;
RecallChartImages renderReportRecallCharts(const EvaluationOutcome& results);

// Writes recall_t2i.png, recall_i2t.png, matrix_t2i.png, matrix_i2t.png,
// report.html and report.pdf into outDir (created if missing), each file
// atomically. Everything here (heat maps painted on QImages, PNG encoding,
// the HTML, the PDF through QTextDocument and QPdfWriter, the files) is
// reentrant Qt, so a GUI program runs it on a worker thread with the
// recall charts it made on its GUI thread. Throws xbt::Error for an
// unwritable folder.
ReportFiles writeEvaluationReport(const EvaluationOutcome& results, const RecallChartImages& recallCharts,
                                  const std::string& outDir);
// Both steps on the calling thread, for `xbt report`.
ReportFiles writeEvaluationReport(const EvaluationOutcome& results, const std::string& outDir);
// Encodes one chart as PNG and writes it atomically; any thread.
void writeChartPng(const QImage& chart, const std::string& path);

}  // namespace xbt

#pragma once
// The one writer of an evaluation's files, whoever ran it (xbt eval,
// xbt demo, the workbench's Evaluate panel): the data files
// (results.json, recall.csv, results.md; core/eval/EvaluationFiles.h), the
// four chart PNGs, report.html and report.pdf, all in one folder.
// A build without Qt writes only the data files (writeEvaluationData).

#include "core/eval/EvaluationResults.h"
#include "ui/charts/EvaluationReport.h"

#include <string>
#include <vector>

namespace xbt {

struct EvaluationOutputFiles {
    std::vector<std::string> data;  // results.json, recall.csv, results.md
    ReportFiles report;
    // report.html first (the file to open), then report.pdf, the data files and the charts.
    std::vector<std::string> all() const;
};

// As writeEvaluationReport (EvaluationReport.h): `recallCharts` come from
// renderReportRecallCharts on the GUI thread, the rest may run on a worker.
EvaluationOutputFiles writeEvaluationOutputs(const EvaluationOutcome& outcome, const RecallChartImages& recallCharts,
                                             const std::string& outDir);
// Both steps on the calling thread, for the CLI.
EvaluationOutputFiles writeEvaluationOutputs(const EvaluationOutcome& outcome, const std::string& outDir);

}  // namespace xbt

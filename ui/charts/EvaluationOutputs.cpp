#include "ui/charts/EvaluationOutputs.h"

#include "core/eval/EvaluationFiles.h"

namespace xbt {

std::vector<std::string> EvaluationOutputFiles::all() const
{
    std::vector<std::string> files = {report.html, report.pdf};
    files.insert(files.end(), data.begin(), data.end());
    files.insert(files.end(), report.pngs.begin(), report.pngs.end());
    return files;
}

EvaluationOutputFiles writeEvaluationOutputs(const EvaluationOutcome& outcome, const RecallChartImages& recallCharts,
                                             const std::string& outDir)
{
    EvaluationOutputFiles files;
    files.data = writeEvaluationData(outcome, outDir);
    files.report = writeEvaluationReport(outcome, recallCharts, outDir);
    return files;
}

EvaluationOutputFiles writeEvaluationOutputs(const EvaluationOutcome& outcome, const std::string& outDir)
{
    return writeEvaluationOutputs(outcome, renderReportRecallCharts(outcome), outDir);
}

}  // namespace xbt

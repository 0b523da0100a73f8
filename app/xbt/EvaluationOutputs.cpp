#include "app/xbt/EvaluationOutputs.h"

#include "core/eval/EvaluationFiles.h"
#include "core/eval/EvaluationJson.h"

#ifdef XBT_HAVE_CHARTS
#include "ui/charts/EvaluationReport.h"
#endif

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace xbt::cli {

void writeEvaluationOutputs(const EvaluationOutcome& outcome, const std::string& outDir)
{
    namespace fs = std::filesystem;
    writeEvaluationData(outcome, outDir);
    std::cout << evaluationMarkdown(outcome);
#ifdef XBT_HAVE_CHARTS
    const ReportFiles files = writeEvaluationArtifacts(evaluationToJson(outcome), outDir);
    std::fprintf(stderr, "wrote %s/results.json, recall.csv, results.md, %zu charts, %s and %s\n", outDir.c_str(),
                 files.pngs.size(), fs::path(files.html).filename().c_str(), fs::path(files.pdf).filename().c_str());
#else
    std::fprintf(stderr, "wrote %s/results.json, recall.csv, results.md (charts and the report need the Qt build)\n",
                 outDir.c_str());
#endif
}

}  // namespace xbt::cli

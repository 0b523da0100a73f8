#include "app/xbt/SaveEvaluation.h"

#include "core/eval/EvaluationFiles.h"

#ifdef XBT_HAVE_CHARTS
#include "ui/charts/EvaluationOutputs.h"
#endif

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace xbt::cli {

void saveEvaluation(const EvaluationOutcome& outcome, const std::string& outDir)
{
#ifdef XBT_HAVE_CHARTS
    namespace fs = std::filesystem;
    const EvaluationOutputFiles files = writeEvaluationOutputs(outcome, outDir);
    std::cout << evaluationMarkdown(outcome);
    std::fprintf(stderr, "wrote %s/results.json, recall.csv, results.md, %zu charts, %s and %s\n", outDir.c_str(),
                 files.report.pngs.size(), fs::path(files.report.html).filename().c_str(),
                 fs::path(files.report.pdf).filename().c_str());
#else
    writeEvaluationData(outcome, outDir);
    std::cout << evaluationMarkdown(outcome);
    std::fprintf(stderr, "wrote %s/results.json, recall.csv, results.md (charts and the report need the Qt build)\n",
                 outDir.c_str());
#endif
}

}  // namespace xbt::cli

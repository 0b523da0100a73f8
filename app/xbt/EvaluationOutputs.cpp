#include "app/xbt/EvaluationOutputs.h"

#include "core/util/FileUtil.h"

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
    createDirectories(outDir);
    const std::string md = evaluationMarkdown(outcome);
    const nlohmann::json results = evaluationToJson(outcome);
    writeFileAtomic((fs::path(outDir) / "results.md").string(), md);
    writeFileAtomic((fs::path(outDir) / "recall.csv").string(), evaluationRecallCsv(outcome));
    writeFileAtomic((fs::path(outDir) / "results.json").string(), results.dump(2) + "\n");
    std::cout << md;
#ifdef XBT_HAVE_CHARTS
    const ReportFiles files = writeEvaluationArtifacts(results, outDir);
    std::fprintf(stderr, "wrote %s/results.json, recall.csv, results.md, %zu charts, %s and %s\n", outDir.c_str(),
                 files.pngs.size(), fs::path(files.html).filename().c_str(), fs::path(files.pdf).filename().c_str());
#else
    std::fprintf(stderr, "wrote %s/results.json, recall.csv, results.md (charts and the report need the Qt build)\n",
                 outDir.c_str());
#endif
}

}  // namespace xbt::cli

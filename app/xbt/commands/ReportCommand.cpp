// xbt report: re-renders an evaluation's charts (PNG) and its stakeholder
// report (self-contained HTML and PDF) from results.json, without re-running
// the evaluation.
#include "app/xbt/Command.h"
#include "core/eval/EvaluationJson.h"
#include "core/util/Error.h"

#ifdef XBT_HAVE_CHARTS
#include "ui/charts/EvaluationReport.h"
#endif

#include <iostream>

namespace xbt::cli {

namespace {

int run(const CliArgs& args)
{
    const std::string resultsPath = args.required("results");
    const std::string outDir = args.required("out");
    EvaluationOutcome results;
    try {
        results = readEvaluationFile(resultsPath);
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + "; pass the results.json xbt eval wrote");
    }
#ifdef XBT_HAVE_CHARTS
    const ReportFiles files = writeEvaluationReport(results, outDir);
    for (const std::string& png : files.pngs)
        std::cout << png << "\n";
    std::cout << files.html << "\n" << files.pdf << "\n";
    return kExitOk;
#else
    (void)outDir;
    throw Error("plots and the HTML/PDF report need the Qt build of xbt: rebuild with -DXBT_BUILD_GUI=ON "
                "and Qt 6 (Widgets, Charts) installed (scripts/setup.sh)");
#endif
}

}  // namespace

Command makeReportCommand()
{
    return {"report",
            "render an evaluation's recall charts, compatibility heat maps and report (HTML + PDF) from results.json",
            "xbt report --results FILE --out DIR",
            {{"results", "FILE", "results.json written by xbt eval"},
             {"out", "DIR", "where the PNG charts, report.html and report.pdf go"}},
            run};
}

}  // namespace xbt::cli

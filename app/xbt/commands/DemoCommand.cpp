// xbt demo: the README's main job. Builds the bundled sample workspace when
// needed (sample world, two galleries, the default XBT adapter), then opens
// the workbench on it; with no display (or --headless) it runs the
// evaluation instead and writes the report into the workspace.
#include "app/xbt/CliProgress.h"
#include "app/xbt/Command.h"
#include "app/xbt/InterruptCancel.h"
#include "app/xbt/SaveEvaluation.h"
#include "core/pipeline/EvaluationPipeline.h"
#include "core/pipeline/SampleWorkspace.h"
#include "core/workspace/UpgradeProfile.h"
#include "core/util/Error.h"
#include "core/util/Timestamp.h"
#include "core/workspace/WorkspaceLayout.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

namespace xbt::cli {

namespace {

namespace fs = std::filesystem;

bool haveDisplay()
{
    const char* display = std::getenv("DISPLAY");
    const char* wayland = std::getenv("WAYLAND_DISPLAY");
    return (display && *display) || (wayland && *wayland);
}

// xbt-workbench beside this xbt (build tree: ../app/xbt-workbench is the same folder).
std::string workbenchPath()
{
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("xbt-workbench") : (self.parent_path() / "xbt-workbench").string();
}

int headlessReport(const std::string& workspace, const CliArgs& args)
{
    const UpgradeProfile profile = loadUpgradeProfile(workspace);
    EvaluationRequest request;
    request.oldModel = profile.oldModel;
    request.newModel = profile.newModel;
    request.splitDir = profile.evalSplitPath(workspace);
    request.workspaceDir = workspace;
    request.adapters = "all";
    request.options.bootstrap.samples = args.intValue("bootstrap", 1000);
    request.options.rerankK = {50};  // the demo's "re-ranking the top 50" line
    const EvaluationRun run = runEvaluation(request, terminalProgress(), cancelOnInterrupt());
    EvaluationOutcome outcome = run.outcome;
    outcome.command = "xbt demo --workspace " + workspace + " --headless";
    outcome.date = utcTimestamp();
    const std::string out = WorkspaceLayout(workspace).demoResultsDir();
    saveEvaluation(outcome, out);
    std::printf("\nreport and charts: %s\n", out.c_str());
    return kExitOk;
}

int run(const CliArgs& args)
{
    const std::string workspace = fs::absolute(args.value("workspace", defaultSampleWorkspaceDir())).string();
    if (!sampleWorkspaceComplete(workspace))
        std::fprintf(stderr, "building the sample workspace in %s (once; an interrupted build continues)...\n",
                     workspace.c_str());
    // Also when complete: steps built with other sample models are redone.
    SampleWorkspaceOptions options;
    options.device = args.value("device", "auto");
    buildSampleWorkspace(workspace, options, terminalProgress(), cancelOnInterrupt());
    if (args.has("headless") || !haveDisplay())
        return headlessReport(workspace, args);
    const std::string gui = workbenchPath();
    if (!fs::exists(gui))
        throw Error(gui + " is missing: the workbench is part of the Qt build (scripts/build.sh); "
                          "use --headless for the evaluation report");
    std::fflush(nullptr);
    execl(gui.c_str(), gui.c_str(), "--workspace", workspace.c_str(), static_cast<char*>(nullptr));
    throw Error("could not start " + gui);
}

}  // namespace

Command makeDemoCommand()
{
    return {"demo",
            "build the sample workspace if needed and open the workbench on it; without a display, evaluate "
            "and write the report",
            "xbt demo [--workspace WS] [--headless]",
            {{"workspace", "WS", "the sample workspace (default ~/.local/share/xbt-workbench/sample-workspace)"},
             {"headless", "", "evaluate and write the report even when a display is available"},
             {"device", "auto|cpu|cuda", "where the adapter trains (default auto)"},
             {"bootstrap", "N", "bootstrap resamples for the report's intervals (default 1000)"}},
            run};
}

}  // namespace xbt::cli

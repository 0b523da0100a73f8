// xbt eval: every configuration of an upgrade side by side (old->old,
// new->new, raw new->old, new+adapter->old, new->transformed-old) on a
// captioned split or on embeddings made elsewhere; writes results.json,
// recall.csv, results.md and, in the Qt build, the charts and the report.
#include "app/xbt/CliProgress.h"
#include "app/xbt/Command.h"
#include "app/xbt/InterruptCancel.h"
#include "app/xbt/ModelCli.h"
#include "app/xbt/SaveEvaluation.h"
#include "core/eval/PrecomputedEmbeddings.h"
#include "core/pipeline/EvaluationPipeline.h"
#include "core/util/Error.h"
#include "core/util/Timestamp.h"

#include <iostream>

namespace xbt::cli {

namespace {

// The command line as given, for results.json.
std::string commandLine(const CliArgs& args)
{
    std::string command = "xbt eval";
    for (const char* key : {"old", "new", "compare", "split", "workspace", "adapters", "embeddings", "out", "max-k",
                            "bootstrap", "seed"})
        if (args.has(key))
            command += std::string(" --") + key + " " + args.value(key);
    for (const char* flag : {"ceiling", "backfill-curve"})
        if (args.has(flag))
            command += std::string(" --") + flag;
    for (const char* key : {"rerank", "queries"})
        if (args.has(key))
            command += std::string(" --") + key + " " + args.value(key);
    return command;
}

int run(const CliArgs& args)
{
    const std::string outDir = args.required("out");
    EvaluationOptions options;
    options.maxK = args.intValue("max-k", 100);
    options.bootstrap.samples = args.intValue("bootstrap", 1000);
    options.bootstrap.seed = static_cast<uint64_t>(args.intValue("seed", 0));
    if (options.maxK < 1)
        throw UsageError("--max-k must be at least 1");
    if (options.bootstrap.samples < 0)
        throw UsageError("--bootstrap must be 0 (no intervals) or more");
    if (args.has("rerank"))
        for (const std::string& k : parseAdapterList(args.value("rerank"))) {
            int value = 0;
            try {
                value = std::stoi(k);
            } catch (const std::exception&) {
            }
            if (value < 1)
                throw UsageError("--rerank takes depths K of 1 or more, comma-separated (e.g. 10,50), not '" + k + "'");
            options.rerankK.push_back(value);
        }

    if (args.has("embeddings")) {
        for (const char* modelFlag : {"old", "new", "compare", "split"})
            if (args.has(modelFlag))
                throw UsageError(std::string("--embeddings replaces --old, --new and --split; drop --") + modelFlag);
        const PrecomputedEmbeddings p = loadPrecomputedEmbeddings(args.value("embeddings"));
        EvaluationOutcome outcome = evaluateSpaces(p.spaces, p.split, options);
        outcome.command = commandLine(args);
        outcome.date = utcTimestamp();
        saveEvaluation(outcome, outDir);
        return kExitOk;
    }

    EvaluationRequest request;
    request.oldModel = args.required("old");
    request.newModel = args.required("new");
    if (args.has("compare")) {
        request.compareModels = parseAdapterList(args.value("compare"));
        if (request.compareModels.empty())
            throw UsageError("--compare needs one or more model specs, comma-separated");
    }
    request.splitDir = args.required("split");
    request.workspaceDir = args.value("workspace");
    request.adapters = args.value("adapters", request.workspaceDir.empty() ? "none" : "all");
    request.modelOptions = modelOptionsFrom(args);
    if (request.modelOptions.batchSize > 0)
        request.embedOptions.batchSize = request.modelOptions.batchSize;
    if (request.modelOptions.threads > 0)
        request.embedOptions.decodeThreads = request.modelOptions.threads;
    request.options = options;
    request.ceiling = args.has("ceiling");
    request.backfillCurve = args.has("backfill-curve");
    request.queriesFile = args.value("queries");

    const EvaluationRun result = runEvaluation(request, terminalProgress(), cancelOnInterrupt());
    for (const ImageFailure& f : result.failures)
        std::cerr << "failed: " << f.label << ": " << f.reason << "\n";
    for (const std::string& s : result.skippedAdapters)
        std::cerr << "skipped adapter " << s << "\n";
    EvaluationOutcome outcome = result.outcome;
    outcome.command = commandLine(args);
    outcome.date = utcTimestamp();
    saveEvaluation(outcome, outDir);
    if (outcome.recommendation.decided)
        std::cout << "recommendation: " << outcome.recommendation.reason << "\n";
    return result.failures.empty() ? kExitOk : kExitPartial;
}

}  // namespace

Command makeEvalCommand()
{
    const std::vector<OptionSpec> specs = oldNewModelOptionSpecs();
    return {"eval",
            "recall@K of every configuration (old->old, new->new, raw or compatible new->old, new+adapter->old, "
            "new->transformed-old, compared models) with bootstrap intervals, the compatibility criterion, G and a "
            "report",
            "xbt eval --old M --new M [--compare M,...] --split DIR [--workspace WS] [--adapters all|none|NAME,...] "
            "--out DIR\n"
            "       xbt eval --embeddings DIR --out DIR",
            concatSpecs(specs, {{"compare", "M,...", "further new models (e.g. compatible ones): rows <name>->old and "
                                                     "<name>-><name>, and the cost of compatibility"},
                                {"split", "DIR", "split folder: images plus captions.tsv"},
                                {"workspace", "WS", "workspace: caches the split's embeddings, holds the adapters"},
                                {"adapters", "LIST", "all (default with --workspace), none, or names, comma-separated"},
                                {"embeddings", "DIR", "embeddings made elsewhere: <space>_img.npy, <space>_txt.npy, "
                                                      "truth.tsv (see docs/data-formats.md)"},
                                {"out", "DIR", "where results.json, recall.csv, results.md, charts and the report go"},
                                {"ceiling", "", "add the diagnostic ceiling: a query map fitted on the split's own pairs (not a "
                                "method; the most a query adapter could take from the old gallery) and G_ceiling"},
                                {"rerank", "K,...", "add <adapter row>+rerank@K: each adapter's top K re-scored by the new model, "
                                    "with the images that re-embeds per query; adds the upgrade decision table (each "
                                    "path's text query timed: p50 / p95 over 50 captions)"},
                                {"backfill-curve", "", "recall at 0, 5, 10, 25, 50, 75, 100% of the gallery re-embedded, "
                                                       "per backfill order, raw and calibrated score mixing (fitted on "
                                                       "the adapter's validation split); adds the decision table too"},
                                {"queries", "FILE", "query log of the \"queries\" backfill order (default: the "
                                                    "workspace's demo list)"},
                                {"max-k", "K", "longest recall curve (default 100)"},
                                {"bootstrap", "N", "bootstrap resamples for the 95% intervals (default 1000; 0: none)"},
                                {"seed", "S", "bootstrap seed (default 0)"}}),
            run};
}

}  // namespace xbt::cli

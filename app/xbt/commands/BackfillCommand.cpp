// xbt backfill: re-embed a gallery's images with the new model, a share at a
// time and in a chosen order, into the gallery's new-model store; then
// promote the new model to be the gallery's, and drop the old embeddings.
#include "app/xbt/CliProgress.h"
#include "app/xbt/Command.h"
#include "app/xbt/InterruptCancel.h"
#include "app/xbt/ModelCli.h"
#include "core/pipeline/UpgradeSession.h"
#include "core/util/Error.h"

#include <cstdio>

namespace xbt::cli {

namespace {

int run(const CliArgs& args)
{
    const std::string gallery = args.value("gallery", "default");
    const int actions = static_cast<int>(args.has("promote")) + static_cast<int>(args.has("drop-old")) +
                        static_cast<int>(args.has("discard"));
    if (actions > 1)
        throw UsageError("give at most one of --promote, --drop-old and --discard");
    if (actions == 1) {
        UpgradeSession session(args.required("workspace"), modelOptionsFrom(args));
        if (args.has("promote")) {
            session.promoteBackfill(gallery);
            std::printf("gallery '%s' now searches with the backfilled model; its previous embeddings are kept for "
                        "rollback (run --promote again to swap back, --drop-old to free the space)\n",
                        gallery.c_str());
        } else {
            session.dropBackfill(gallery, args.has("drop-old"));
            std::printf("gallery '%s': %s\n", gallery.c_str(),
                        args.has("drop-old") ? "the retired model's embeddings were dropped"
                                             : "the new-model store was dropped");
        }
        return kExitOk;
    }
    BackfillRequest request;
    request.run.gallery = gallery;
    request.modelSpec = args.required("model");
    request.run.order = parseBackfillOrder(args.value("order", "random"));
    request.queriesFile = args.value("queries");
    if (args.has("queries") && request.run.order != BackfillOrder::Queries)
        throw UsageError("--queries FILE is the query log of --order queries");
    request.run.budget = parseBackfillBudget(args.value("budget"));
    request.run.seed = static_cast<uint64_t>(args.intValue("seed", 0));

    const CancelToken cancel = cancelOnInterrupt();
    UpgradeSession session(args.required("workspace"), modelOptionsFrom(args));
    const BackfillSummary summary = session.backfill(request, terminalProgress(), cancel);
    std::printf("%s\n", describeBackfill(summary).c_str());
    if (summary.cancelled) {
        std::fprintf(stderr, "interrupted: everything backfilled so far is saved. Run the same command again to "
                             "continue.\n");
        return kExitFailed;
    }
    return summary.missing > 0 || summary.changed > 0 ? kExitPartial : kExitOk;
}

}  // namespace

Command makeBackfillCommand()
{
    return {"backfill",
            "re-embed a gallery's images with the new model, progressively, into its new-model store; promote",
            "xbt backfill --workspace WS [--gallery NAME] --model NEW [--order random|uncertainty|queries] "
            "[--queries FILE] [--budget N|P%] [--seed S] | --promote | --drop-old | --discard",
            concatSpecs(modelOptionSpecs(),
                        {{"workspace", "WS", "workspace folder"},
                         {"gallery", "NAME", "gallery to backfill (default: default)"},
                         {"order", "random|uncertainty|queries",
                          "which images first: a seeded shuffle (default); uncertainty: those in the most crowded "
                          "old neighbourhoods; queries: those most often in the top 10 of a query log"},
                         {"queries", "FILE", "the query log of --order queries, one query per line (default: the "
                                             "workspace's demo query list)"},
                         {"budget", "N|P%", "how much of the gallery, in the order, should be backfilled when the "
                                            "run ends (default: all of it); a rerun goes on where a stopped one ended"},
                         {"seed", "S", "seed of the random order (default 0)"},
                         {"promote", "", "make the backfilled model the gallery's (every image backfilled first); "
                                         "the old embeddings are kept for rollback"},
                         {"drop-old", "", "after --promote: drop the retired model's embeddings"},
                         {"discard", "", "drop the gallery's new-model store (e.g. to backfill another model)"}}),
            run};
}

}  // namespace xbt::cli

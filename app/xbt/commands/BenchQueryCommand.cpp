// xbt bench query: what one query costs through a query adapter, alone and as
// deployed (interpolated with the old model's embedding of the same query,
// which runs the old encoder too), for text and image queries; prints p50 and
// p95 per query with the machine and BLAS.
#include "app/xbt/Command.h"
#include "app/xbt/ModelCli.h"
#include "core/adapt/CompatibilityAdapter.h"
#include "core/data/ImageFiles.h"
#include "core/image/ClipImagePreprocessor.h"
#include "core/pipeline/LoadedModels.h"
#include "core/pipeline/PathLatency.h"
#include "core/pipeline/UpgradeSession.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/Progress.h"
#include "core/util/SystemInfo.h"

#include <algorithm>
#include <cstdio>
#include <functional>

namespace xbt::cli {

namespace {

// Each query timed on its own (batch of one), after one warm-up call.
template <typename Query>
QueryLatency timeEach(const std::vector<Query>& queries, const std::function<void(const Query&)>& run)
{
    run(queries.front());
    std::vector<double> ms;
    for (const Query& q : queries) {
        const double t0 = monotonicSeconds();
        run(q);
        ms.push_back(1000.0 * (monotonicSeconds() - t0));
    }
    return latencyPercentiles(std::move(ms));
}

int run(const CliArgs& args)
{
    const std::string adapterName = args.required("adapter");
    LoadedModels models(args.required("workspace"), modelOptionsFrom(args));
    const std::string spec = args.required("model");
    std::shared_ptr<EmbeddingModel> alone = models.model(spec, adapterName, AdapterUse::GalleryItems);
    std::shared_ptr<EmbeddingModel> deployed = models.model(spec, adapterName, AdapterUse::Query);
    const AdapterInfo& info = models.adapter(adapterName)->info();
    const int limit = std::max(1, args.intValue("limit", 200));

    std::vector<std::string> texts;
    if (args.has("texts"))
        for (const std::string& line : readTextLines(args.value("texts")))
            if (!line.empty() && static_cast<int>(texts.size()) < limit)
                texts.push_back(line);
    std::vector<PixelTensor> images;
    if (args.has("images")) {
        const ClipImagePreprocessor pre(alone->info().preprocess);
        for (const ImageInput& input : resolveImageInputs(args.value("images"))) {
            if (static_cast<int>(images.size()) >= limit)
                break;
            images.push_back(pre.preprocessFile(input.path));
        }
    }
    if (texts.empty() && images.empty())
        throw UsageError("give --texts FILE (one query per line) and/or --images DIR_OR_LIST");

    std::printf("xbt bench query\n");
    std::printf("  machine : %s, %d cores\n", cpuModelName().c_str(), coreCount());
    std::printf("  BLAS    : %s\n", activeBlasLibrary().c_str());
    std::printf("  adapter : %s (%s): %s -> %s, queries as deployed: %s\n", info.name.c_str(), info.method.c_str(),
                info.newModel.name.c_str(), info.oldModel.name.c_str(), info.interpolation.describe().c_str());
    std::printf("  device  : %s; one query per call (batch 1), preprocessed images (decoding excluded)\n\n",
                alone->info().device.c_str());
    std::printf("| queries | n | adapter alone p50 / p95 ms | as deployed p50 / p95 ms | extra p50 / p95 ms |\n");
    std::printf("|---|---:|---:|---:|---:|\n");
    const auto row = [](const char* what, size_t n, const QueryLatency& a, const QueryLatency& d) {
        std::printf("| %s | %zu | %.2f / %.2f | %.2f / %.2f | %+.2f / %+.2f |\n", what, n, a.p50Ms, a.p95Ms, d.p50Ms,
                    d.p95Ms, d.p50Ms - a.p50Ms, d.p95Ms - a.p95Ms);
    };
    if (!texts.empty())
        row("text", texts.size(),
            timeEach<std::string>(texts, [&](const std::string& t) { alone->encodeTexts({t}); }),
            timeEach<std::string>(texts, [&](const std::string& t) { deployed->encodeTexts({t}); }));
    if (!images.empty())
        row("image", images.size(),
            timeEach<PixelTensor>(images, [&](const PixelTensor& p) { alone->encodeImages({p}); }),
            timeEach<PixelTensor>(images, [&](const PixelTensor& p) { deployed->encodeImages({p}); }));
    std::printf("\n\"extra\" is the old query encoder's pass that interpolation adds (0 where a = 1).\n");
    if (args.has("rerank") && !texts.empty()) {
        // Whole searches of the old gallery through the adapter, re-ranked:
        // every query re-embeds its candidates (the new-model store is left
        // out, so that no query reuses another's work: the cold case). With
        // --store, a first pass fills the gallery's new-model store and the
        // timed pass reuses it: the warm case.
        const int k = args.intValue("rerank", 50);
        const bool store = args.has("store");
        UpgradeSession session(args.required("workspace"), modelOptionsFrom(args));
        SearchRequest request;
        request.gallery = args.value("gallery", "default");
        request.modelSpec = spec;
        request.adapter = adapterName;
        request.rerankK = k;
        request.useNewModelStore = store;
        request.options.k = 10;
        if (store)
            for (const std::string& t : texts) {
                request.text = t;
                session.search(request);
            }
        std::vector<double> rerankMs;
        int64_t reembedded = 0, reused = 0;
        const QueryLatency total = timeEach<std::string>(texts, [&](const std::string& t) {
            request.text = t;
            const SearchResults r = session.search(request);
            rerankMs.push_back(1000.0 * r.rerank.seconds);
            reembedded += r.rerank.reembedded;
            reused += r.rerank.reused;
        });
        rerankMs.erase(rerankMs.begin());  // the warm-up call
        const QueryLatency rerank = latencyPercentiles(rerankMs);
        const double queries = static_cast<double>(texts.size() + 1);
        std::printf("\nre-ranked search of gallery '%s' (text queries, top %d; %s):\n\n| n | search + re-rank p50 / "
                    "p95 ms | re-rank alone p50 / p95 ms | images re-embedded per query | reused per query "
                    "|\n|---:|---:|---:|---:|---:|\n| %zu | %.1f / %.1f | %.1f / %.1f | %.1f | %.1f |\n",
                    request.gallery.c_str(), k,
                    store ? "the new-model store filled by a first pass, then reused"
                          : "every candidate re-embedded from its file, no store",
                    texts.size(), total.p50Ms, total.p95Ms, rerank.p50Ms, rerank.p95Ms,
                    static_cast<double>(reembedded) / queries, static_cast<double>(reused) / queries);
    }
    return kExitOk;
}

}  // namespace

Command makeBenchQueryCommand()
{
    return {"bench query",
            "time one query through a query adapter, alone and as deployed (interpolated with the old model's "
            "query); prints p50 / p95 per query",
            "xbt bench query --workspace WS --model NEW --adapter NAME [--texts FILE] [--images DIR_OR_LIST] [--limit N] "
            "[--gallery G --rerank K [--store]]",
            concatSpecs(modelOptionSpecs(),
                        {{"workspace", "WS", "the workspace holding the adapter"},
                         {"adapter", "NAME", "the query adapter"},
                         {"texts", "FILE", "text queries, one per line"},
                         {"images", "DIR_OR_LIST", "image queries"},
                         {"limit", "N", "at most N queries of each kind (default 200)"},
                         {"gallery", "NAME", "with --rerank: the old gallery to search (default: default)"},
                         {"rerank", "K", "also time whole searches re-ranked at K (text queries)"},
                         {"store", "", "with --rerank: use the gallery's new-model store (a first pass fills it, "
                                       "writing into the workspace; the timed pass reuses it)"}}),
            run};
}

}  // namespace xbt::cli

// xbt index: a local image folder -> a gallery in a workspace, incrementally
// (new and changed files embedded, gone ones removed), resumable after a kill.
#include "app/xbt/CliProgress.h"
#include "app/xbt/Command.h"
#include "app/xbt/InterruptCancel.h"
#include "app/xbt/ModelCli.h"
#include "core/pipeline/UpgradeSession.h"
#include "core/util/Error.h"
#include "core/util/Utf8.h"

#include <cstdio>
#include <filesystem>

namespace xbt::cli {

namespace {

void printSummary(const IndexRunSummary& s)
{
    std::printf("gallery %s (%s): %lld image files found\n", s.gallery.c_str(), s.root.c_str(),
                static_cast<long long>(s.scanned));
    std::printf("indexed %lld (new %lld, changed %lld), unchanged %lld, removed %lld, failed %zu\n",
                static_cast<long long>(s.indexed()), static_cast<long long>(s.added), static_cast<long long>(s.changed),
                static_cast<long long>(s.unchanged), static_cast<long long>(s.removed), s.failures.size());
    for (const FileFailure& f : s.failures)
        std::printf("failed: %s: %s%s\n", escapeLine(f.path).c_str(), f.reason.c_str(),
                    f.earlier ? " (earlier run; retried when the file changes)" : "");
    for (const std::string& p : s.scanProblems)
        std::printf("not scanned: %s\n", p.c_str());
    if (s.keptUnscanned > 0)
        std::printf("kept %lld items under folders that could not be scanned (removed only once their folder "
                    "can be read and they are gone)\n",
                    static_cast<long long>(s.keptUnscanned));
    if (s.captionsAdded > 0 || s.captionsRemoved > 0 || s.captionLinesSkipped > 0)
        std::printf("captions: %lld added, %lld removed, %lld lines skipped\n",
                    static_cast<long long>(s.captionsAdded), static_cast<long long>(s.captionsRemoved),
                    static_cast<long long>(s.captionLinesSkipped));
    for (const std::string& p : s.captionProblems)
        std::printf("caption skipped: %s\n", p.c_str());
    const IndexBuildReport& index = s.imageIndex;
    std::printf("index: %s, %lld vectors", indexTypeName(index.type), static_cast<long long>(index.vectors));
    if (index.type == IndexType::Ivf)
        std::printf(", nlist %d, nprobe %d", index.nlist, index.nprobe);
    if (index.recallAt10 >= 0)
        std::printf(", recall@10 vs exact search %.3f%s", index.recallAt10, index.rebuilt ? " (measured now)" : "");
    std::printf("\ntime %.1f s, %.1f images/s\n", s.seconds, s.imagesPerSecond);
    for (const std::string& line : describeSideInformationFill(s.sideInformation))
        std::printf("%s\n", escapeLine(line).c_str());
}

int run(const CliArgs& args)
{
    if (args.positional().size() != 1)
        throw UsageError("give exactly one FOLDER to index");
    IndexRequest request;
    IndexRunOptions& options = request.run;
    options.root = args.positional().front();
    options.gallery = args.value("gallery", "default");
    request.modelSpec = args.required("model");
    request.adapter = args.value("adapter");
    if (args.has("exclude"))
        options.excludes = args.values("exclude");
    options.captionsFile = args.value("captions");
    if ((args.has("caption-format") || args.has("lenient")) && options.captionsFile.empty())
        throw UsageError("--caption-format and --lenient need --captions FILE");
    if (args.has("caption-format"))
        options.captionFormat = parseCaptionFormat(args.value("caption-format"));
    options.captionsLenient = args.has("lenient");
    options.allowEmptyRoot = args.has("allow-empty-root");
    if (args.has("side-information"))
        options.sideInformation = true;
    if (args.has("precision"))
        options.precision = parsePrecision(args.value("precision"));
    if (args.has("index"))
        options.indexType = parseIndexType(args.value("index"));
    if (args.has("nlist") || args.has("nprobe")) {
        if (options.indexType != IndexType::Ivf)
            throw UsageError("--nlist and --nprobe need --index ivf");
        options.nlist = args.intValue("nlist", 0);
        options.nprobe = args.intValue("nprobe", 0);
    }
    options.saveIndexEveryBatches = args.intValue("save-every", options.saveIndexEveryBatches);

    const CancelToken cancel = cancelOnInterrupt();
    // With --adapter, new images go into the old gallery through the new
    // model and the adapter: no old model is needed after the upgrade.
    UpgradeSession session(args.required("workspace"), modelOptionsFrom(args), UpgradeSession::Open::CreateIfMissing);
    const IndexRunSummary summary = session.index(request, terminalProgress(), cancel);
    printSummary(summary);
    if (summary.cancelled && summary.sideInformation.cancelled) {
        std::fprintf(stderr, "interrupted while storing side information; every image is indexed, and the side "
                             "information stored so far is saved. Run the same command again to finish it.\n");
        return kExitFailed;
    }
    if (summary.cancelled) {
        std::fprintf(stderr, "interrupted: %lld files not indexed yet; everything else is saved. Run the same "
                             "command again to continue.\n",
                     static_cast<long long>(summary.remaining));
        return kExitFailed;
    }
    // Lenient mode: the lines left out, as file:line: reason, for the user to fix.
    for (const SkippedCaption& c : summary.malformedCaptions) {
        // The reason starts with its own "name line N: "; file:line already says it.
        std::string reason = c.reason;
        const std::string lineTag = " line " + std::to_string(c.line) + ": ";
        if (const auto at = reason.find(lineTag); c.line > 0 && at != std::string::npos)
            reason.erase(0, at + lineTag.size());
        std::fprintf(stderr, "caption line skipped: %s:%d: %s\n", c.file.c_str(), c.line, reason.c_str());
    }
    const bool complete = summary.failures.empty() && summary.malformedCaptions.empty() && summary.scanProblems.empty();
    return complete ? kExitOk : kExitPartial;
}

}  // namespace

Command makeIndexCommand()
{
    return {"index",
            "index an image folder into a gallery (incremental, resumable): embeds new and changed files",
            "xbt index FOLDER --model M [--adapter NAME] --workspace WS [--gallery NAME] [--captions FILE [--caption-format F] "
            "[--lenient]] [--exclude GLOB]... "
            "[--index flat|ivf] [--precision float32|float16] [--side-information]",
            concatSpecs(modelOptionSpecs(),
                        {adapterOptionSpec("embed with the new model through it into an old model's gallery"),
                         {"workspace", "WS", "workspace folder (created when missing)"},
                         {"gallery", "NAME", "gallery in the workspace (default: default)"},
                         {"captions", "FILE", "captions to embed into the caption gallery: captions.tsv (paths "
                                              "relative to its folder), a folder of sidecar .txt files, CSV, COCO "
                                              "JSON or Flickr tokens (docs/data-formats.md)"},
                         {"caption-format", "auto|tsv|sidecar|csv|coco|flickr",
                          "how --captions is read (default auto: from its name and first line)"},
                         {"lenient", "", "skip malformed caption lines (listed on stderr, exit 2) instead of "
                                         "stopping"},
                         {"exclude", "GLOB", "skip root-relative paths matching this glob ('*' also matches '/'); "
                                             "remembered by the gallery", true},
                         {"index", "flat|ivf", "FAISS index: flat (exact, default) or ivf (approximate, faster on "
                                               "large galleries)"},
                         {"nlist", "N", "IVF lists (default: sqrt of the gallery size, at most size/39)"},
                         {"nprobe", "N", "IVF lists searched per query (default: max(4, nlist/4))"},
                         {"precision", "float32|float16", "how a new gallery stores vectors (default float32)"},
                         {"side-information", "",
                          "also store each image's and caption's side information (64 numbers each, computed "
                          "from the item, no model) for a future FCT gallery transform; remembered by the gallery, "
                          "and an existing gallery's items get theirs without being embedded again"},
                         {"save-every", "N", "also save the index files every N batches (default 25)"},
                         {"allow-empty-root", "", "index a FOLDER with no image files, removing every item of the "
                                                  "gallery (refused without it: an unmounted drive looks empty)"}}),
            run};
}

}  // namespace xbt::cli

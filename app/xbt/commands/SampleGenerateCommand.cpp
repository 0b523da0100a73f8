// xbt sample generate: writes a split of the synthetic sample world.
#include "app/xbt/CliProgress.h"
#include "app/xbt/Command.h"
#include "app/xbt/InterruptCancel.h"
#include "core/sample/SampleWorldGenerator.h"

#include <cstdio>
#include <iostream>

namespace xbt::cli {

namespace {

uint64_t seedFrom(const CliArgs& args)
{
    const std::string text = args.value("seed", "1");
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 19)
        throw UsageError("--seed expects a non-negative integer, got '" + text + "'");
    return std::stoull(text);
}

int run(const CliArgs& args)
{
    SampleWorldOptions options;
    options.outDir = args.required("out");
    // Resolve the split first: an unknown name fails before anything is written.
    options.split = parseSampleSplit(args.required("split"));
    options.count = args.intValue("count", 0);
    if (options.count <= 0)
        throw UsageError("--count expects a positive number of scenes");
    options.seed = seedFrom(args);
    options.textsOnly = args.has("texts-only");
    options.threads = args.intValue("threads", 0);

    const SampleWorldSummary s = generateSampleWorld(options, terminalProgress(), cancelOnInterrupt());
    std::printf("split %s (seed %llu): %d scenes, %d captions -> %s\n", sampleSplitName(options.split),
                static_cast<unsigned long long>(options.seed), s.scenes, s.captions, s.writtenFile.c_str());
    for (const auto& [category, scenes] : s.scenesPerCategory)
        std::printf("  %-9s %6d scenes\n", category.c_str(), scenes);
    std::printf("  hard-case pairs: %d\n", s.hardPairs);
    std::printf("%.2f s, %.0f scenes/s\n", s.seconds, s.seconds > 0 ? s.scenes / s.seconds : 0.0);
    return kExitOk;
}

}  // namespace

Command makeSampleGenerateCommand()
{
    return {"sample generate",
            "write a split of the synthetic sample world (128x128 PNGs + captions.tsv, or corpus.txt)",
            "xbt sample generate --out DIR --split NAME --count N [--seed S] [--texts-only]",
            {{"out", "DIR", "folder to write the split into (created when missing)"},
             {"split", "NAME", "train-base, pairs, corpus, val or test (disjoint by construction)"},
             {"count", "N", "number of scenes (about 5 captions each)"},
             {"seed", "S", "world seed; the same seed and split give identical files (default 1)"},
             {"texts-only", "", "write DIR/corpus.txt, one caption per line, and render no images"},
             {"threads", "N", "render threads (default: all cores)"}},
            run};
}

}  // namespace xbt::cli

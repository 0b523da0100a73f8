// xbt bench embed: how fast the engine embeds image files, split into the
// decode-bound and model-bound parts, against the "no core ever idles" bound.
#include "app/xbt/Command.h"
#include "app/xbt/ModelCli.h"
#include "core/data/ImageFiles.h"
#include "core/embed/BatchEmbedder.h"
#include "core/image/ClipImagePreprocessor.h"
#include "core/model/ModelLoader.h"
#include "core/util/Error.h"
#include "core/util/SystemInfo.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <cstdio>
#include <thread>

namespace xbt::cli {

namespace {

// Decodes and preprocesses every input with `threads` workers; returns the
// tensors of those that succeeded.
std::vector<PixelTensor> preprocessAll(const std::vector<ImageInput>& inputs, const PreprocessSettings& settings,
                                       int threads, size_t& failures)
{
    const ClipImagePreprocessor pre(settings);
    std::vector<std::optional<PixelTensor>> slots(inputs.size());
    std::atomic<size_t> next{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (size_t i; (i = next.fetch_add(1)) < inputs.size();) {
                try {
                    slots[i] = pre.preprocessFile(inputs[i].path);
                } catch (const std::exception&) {
                }
            }
        });
    for (std::thread& t : pool)
        t.join();
    std::vector<PixelTensor> out;
    failures = 0;
    for (auto& s : slots) {
        if (s)
            out.push_back(std::move(*s));
        else
            ++failures;
    }
    return out;
}

int run(const CliArgs& args)
{
    const ModelOptions modelOptions = modelOptionsFrom(args);
    std::vector<ImageInput> inputs = resolveImageInputs(args.required("images"));
    const int limit = args.intValue("limit", 0);
    if (limit > 0 && static_cast<size_t>(limit) < inputs.size())
        inputs.resize(static_cast<size_t>(limit));
    if (inputs.empty())
        throw Error(args.value("images") + ": no images to benchmark");
    const int passes = std::max(1, args.intValue("passes", 1));
    // Cycle the folder so that small folders still give stable timings.
    std::vector<ImageInput> work;
    for (int p = 0; p < passes; ++p)
        work.insert(work.end(), inputs.begin(), inputs.end());

    auto model = loadModel(args.required("model"), modelOptions);
    const int cores = coreCount();
    const int threads = modelOptions.threads > 0 ? modelOptions.threads : cores;
    EmbedOptions embedOptions;
    embedOptions.batchSize = modelOptions.batchSize > 0 ? modelOptions.batchSize : 16;
    embedOptions.decodeThreads = threads;
    const auto& info = model->info();
    const size_t n = work.size();

    // Warm-up: first calls allocate and tune kernels.
    BatchEmbedder embedder(*model, embedOptions);
    embedder.embedImages(std::vector<ImageInput>(work.begin(), work.begin() + static_cast<std::ptrdiff_t>(std::min<size_t>(n, 4))));

    size_t failures = 0;
    double t0 = monotonicSeconds();
    std::vector<PixelTensor> tensors = preprocessAll(work, info.preprocess, threads, failures);
    const double decodeSeconds = monotonicSeconds() - t0;
    if (tensors.empty())
        throw Error("no image could be decoded; run xbt embed on the folder to see why");

    t0 = monotonicSeconds();
    for (size_t b = 0; b < tensors.size(); b += static_cast<size_t>(embedOptions.batchSize)) {
        const size_t e = std::min(tensors.size(), b + static_cast<size_t>(embedOptions.batchSize));
        model->encodeImages(std::vector<PixelTensor>(tensors.begin() + static_cast<std::ptrdiff_t>(b),
                                                     tensors.begin() + static_cast<std::ptrdiff_t>(e)));
    }
    const double modelSeconds = monotonicSeconds() - t0;
    tensors.clear();

    const ImageEmbedResult e2e = embedder.embedImages(work);

    const double decodeRate = static_cast<double>(n) / decodeSeconds;
    const double modelRate = static_cast<double>(n - failures) / modelSeconds;
    const double endToEndRate = static_cast<double>(n) / e2e.seconds;
    const bool gpu = info.device.rfind("cuda", 0) == 0;
    // CPU: decoding and inference share the cores, so per image they cost the
    // sum of their core-seconds; GPU: the slower of the two stages bounds.
    const double decodeCoreSeconds = decodeSeconds * threads / static_cast<double>(n);
    const double modelCoreSeconds = modelSeconds * threads / static_cast<double>(n - failures);
    const double bound = gpu ? std::min(decodeRate, modelRate) : threads / (decodeCoreSeconds + modelCoreSeconds);

    std::printf("xbt bench embed\n");
    std::printf("  machine : %s, %d cores\n", cpuModelName().c_str(), cores);
    std::printf("  BLAS    : %s\n", activeBlasLibrary().c_str());
    std::printf("  model   : %s (%s, %d px, dim %d) on %s, %d threads, batch %d\n", info.name.c_str(),
                info.kind.c_str(), info.preprocess.inputResolution, info.embeddingDim, info.device.c_str(), threads,
                embedOptions.batchSize);
    std::printf("  images  : %zu (%zu files x %d passes), %zu failed, decode mode %s\n\n", n, inputs.size(), passes,
                failures, info.preprocess.fastDecode ? "fast" : "exact");
    std::printf("| stage                          | images/s | core-s/image |\n");
    std::printf("|--------------------------------|---------:|-------------:|\n");
    std::printf("| decode + preprocess (%2d thr)   | %8.2f | %12.4f |\n", threads, decodeRate, decodeCoreSeconds);
    std::printf("| model only (ready tensors)     | %8.2f | %12.4f |\n", modelRate, modelCoreSeconds);
    std::printf("| end to end                     | %8.2f |              |\n", endToEndRate);
    std::printf("| bound (%s)             | %8.2f |              |\n", gpu ? "min stage" : "no idle  ", bound);
    std::printf("\nend to end reaches %.0f%% of the bound (target: 90%%)\n", 100.0 * endToEndRate / bound);
    return kExitOk;
}

}  // namespace

Command makeBenchEmbedCommand()
{
    return {"bench embed",
            "time decoding, the model, and end-to-end embedding of an image folder; prints a table",
            "xbt bench embed --model M --images DIR_OR_LIST [--limit N] [--passes N]",
            concatSpecs(modelOptionSpecs(),
                        {{"images", "DIR_OR_LIST", "images to embed"},
                         {"limit", "N", "use at most N images"},
                         {"passes", "N", "go through the images N times (default 1)"}}),
            run};
}

}  // namespace xbt::cli

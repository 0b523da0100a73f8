#include "core/sample/SampleWorldGenerator.h"

#include "core/data/CaptionsTsv.h"
#include "core/sample/CaptionWriter.h"
#include "core/sample/SceneRenderer.h"
#include "core/sample/SceneSampler.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>

namespace xbt {

namespace {

// Image files are written plainly, not through writeFileAtomic: an fsync per
// image would dominate the run, and a half-written split is regenerated anyway
// (captions.tsv, written last and atomically, marks a finished split).
void writeImage(const std::string& path, const std::string& png)
{
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f)
        throw Error(path + ": cannot write (" + std::strerror(errno) + ")");
    const size_t written = std::fwrite(png.data(), 1, png.size(), f);
    const bool closed = std::fclose(f) == 0;
    if (written != png.size() || !closed)
        throw Error(path + ": write failed (" + std::strerror(errno) + ")");
}

// Renders and writes every image on `threads` workers while the calling
// thread reports progress and watches for cancellation.
void renderImages(const std::vector<SampleScene>& scenes, const std::string& outDir, int threads,
                  ProgressMeter& meter, const CancelToken& cancel)
{
    std::atomic<size_t> next{0};
    std::atomic<int64_t> done{0};
    std::atomic<bool> stop{false};
    std::exception_ptr failure;
    std::mutex failureMutex;
    auto work = [&] {
        try {
            for (size_t i = next++; i < scenes.size() && !stop; i = next++) {
                writeImage((std::filesystem::path(outDir) / scenes[i].fileName()).string(), renderScenePng(scenes[i]));
                ++done;
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(failureMutex);
            if (!failure)
                failure = std::current_exception();
            stop = true;
        }
    };
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
        workers.emplace_back(work);
    const int64_t total = static_cast<int64_t>(scenes.size());
    while (done < total && !stop) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (cancel.isCancelled())
            stop = true;
        meter.update(done);
    }
    for (std::thread& w : workers)
        w.join();
    if (failure)
        std::rethrow_exception(failure);
    cancel.throwIfCancelled();
    meter.update(total);
}

}  // namespace

std::vector<SampleScene> sampleWorldScenes(uint64_t seed, SampleSplit split, int count, const CancelToken& cancel)
{
    return SceneSampler(seed, split).sample(count, cancel);
}

std::vector<std::string> sceneCaptions(const SampleScene& scene)
{
    return writeCaptions(scene.description, scene.captionSeed);
}

SampleWorldSummary generateSampleWorld(const SampleWorldOptions& options, const ProgressCallback& progress,
                                       const CancelToken& cancel)
{
    if (options.count <= 0)
        throw Error("sample world: the scene count must be positive (got " + std::to_string(options.count) + ")");
    const double start = monotonicSeconds();
    std::error_code ec;
    createDirectories(options.outDir);

    const std::vector<SampleScene> scenes = sampleWorldScenes(options.seed, options.split, options.count, cancel);
    SampleWorldSummary summary;
    summary.scenes = static_cast<int>(scenes.size());
    for (Category c : allCategories())
        summary.scenesPerCategory[categoryName(c)] = 0;
    std::vector<CaptionRecord> records;
    std::string corpus;
    for (const SampleScene& s : scenes) {
        cancel.throwIfCancelled();
        const char* category = categoryName(s.description.category);
        ++summary.scenesPerCategory[category];
        if (s.twinIndex > s.index)
            ++summary.hardPairs;
        for (std::string& caption : sceneCaptions(s)) {
            ++summary.captions;
            if (options.textsOnly)
                corpus += caption + "\n";
            else
                records.push_back({s.fileName(), std::move(caption), category, 0});
        }
    }

    if (options.textsOnly) {
        summary.writtenFile = (std::filesystem::path(options.outDir) / "corpus.txt").string();
        writeFileAtomic(summary.writtenFile, corpus);
    } else {
        const int threads =
            options.threads > 0 ? options.threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
        ProgressMeter meter("rendering scenes", static_cast<int64_t>(scenes.size()), progress);
        renderImages(scenes, options.outDir, threads, meter, cancel);
        summary.writtenFile = (std::filesystem::path(options.outDir) / "captions.tsv").string();
        writeCaptionsTsv(summary.writtenFile, records);
    }
    summary.seconds = monotonicSeconds() - start;
    return summary;
}

}  // namespace xbt

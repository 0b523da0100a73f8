#pragma once
// Writes a sample-world split to disk: PNG images and captions.tsv (the
// project's split format), or, for a text corpus, only corpus.txt.

#include "core/sample/SampleScene.h"
#include "core/sample/SampleSplit.h"
#include "core/util/Progress.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace xbt {

struct SampleWorldOptions {
    std::string outDir;  // created when missing; the split's files go straight into it
    SampleSplit split = SampleSplit::TrainBase;
    int count = 0;       // scenes
    uint64_t seed = 1;
    // Write corpus.txt (one caption per line) and render nothing.
    bool textsOnly = false;
    int threads = 0;     // render threads; 0 = hardware concurrency
};

struct SampleWorldSummary {
    int scenes = 0;
    int captions = 0;
    std::map<std::string, int> scenesPerCategory;
    int hardPairs = 0;   // twin pairs (binding or relation) in the split
    double seconds = 0.0;
    std::string writtenFile;  // captions.tsv or corpus.txt
};

SampleWorldSummary generateSampleWorld(const SampleWorldOptions& options, const ProgressCallback& progress = {},
                                       const CancelToken& cancel = {});

// The scenes and their captions in memory, as generateSampleWorld() writes them.
std::vector<SampleScene> sampleWorldScenes(uint64_t seed, SampleSplit split, int count,
                                           const CancelToken& cancel = {});
std::vector<std::string> sceneCaptions(const SampleScene& scene);

}  // namespace xbt

#include "core/train/SampleWorldData.h"

#include "core/image/ClipImagePreprocessor.h"
#include "core/sample/SampleWorldGenerator.h"
#include "core/sample/SceneRenderer.h"

#include <atomic>
#include <thread>

namespace xbt {

CaptionedImageSet renderSampleWorldSet(uint64_t seed, const std::string& split, int count,
                                       const PreprocessSettings& preprocess, int threads, const CancelToken& cancel)
{
    const std::vector<SampleScene> scenes = sampleWorldScenes(seed, parseSampleSplit(split), count, cancel);
    CaptionedImageSet set;
    set.images.resize(scenes.size());
    set.captions.resize(scenes.size());
    set.categories.resize(scenes.size());
    set.twins.assign(scenes.size(), -1);
    for (size_t i = 0; i < scenes.size(); ++i)
        if (scenes[i].twinIndex >= 0 && static_cast<size_t>(scenes[i].twinIndex) < scenes.size())
            set.twins[i] = scenes[i].twinIndex;
    const ClipImagePreprocessor preprocessor(preprocess);
    std::atomic<size_t> next{0};
    auto work = [&] {
        for (size_t i; (i = next.fetch_add(1)) < scenes.size() && !cancel.isCancelled();) {
            // Through PNG bytes on purpose: training sees exactly the pixels
            // that indexing a generated split on disk would see.
            set.images[i] = preprocessor.preprocessBytes(renderScenePng(scenes[i]), scenes[i].fileName());
            set.captions[i] = sceneCaptions(scenes[i]);
            set.categories[i] = categoryName(scenes[i].description.category);
        }
    };
    const int n = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::vector<std::thread> pool;
    for (int t = 0; t < n; ++t)
        pool.emplace_back(work);
    for (std::thread& t : pool)
        t.join();
    cancel.throwIfCancelled();
    return set;
}

}  // namespace xbt

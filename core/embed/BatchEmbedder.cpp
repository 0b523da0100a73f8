#include "core/embed/BatchEmbedder.h"

#include "core/image/ClipImagePreprocessor.h"
#include "core/image/ImageError.h"
#include "core/util/Error.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace xbt {

const char* const kNonFiniteImageReason =
    "not embedded: the model returned NaN or infinite values for this image (check the model's normalisation "
    "settings: --mean, --std, or its sidecar)";

BatchEmbedder::BatchEmbedder(EmbeddingModel& model, EmbedOptions options) : model_(model), options_(options)
{
    if (options_.batchSize <= 0)
        options_.batchSize = 32;
    if (options_.decodeThreads <= 0)
        options_.decodeThreads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

namespace {

// One input's outcome, filled by a decode worker.
struct Slot {
    std::optional<PixelTensor> pixels;
    std::string error;
    bool ready = false;
};

}  // namespace

ImageEmbedResult BatchEmbedder::embedImages(const std::vector<ImageInput>& inputs, const ProgressCallback& progress,
                                            const CancelToken& cancel)
{
    const double start = monotonicSeconds();
    const ClipImagePreprocessor preprocessor(model_.info().preprocess);
    const size_t n = inputs.size();
    const size_t batch = static_cast<size_t>(options_.batchSize);
    // Decoders may run this far ahead of inference: enough to keep the model
    // fed, bounded so memory stays at a few batches of tensors.
    const size_t window = 3 * batch;

    std::vector<Slot> slots(n);
    std::mutex mutex;
    std::condition_variable slotReady;
    std::condition_variable windowMoved;
    size_t consumed = 0;  // inputs handed to the model so far
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};

    auto worker = [&] {
        for (;;) {
            const size_t i = next.fetch_add(1);
            if (i >= n)
                return;
            {
                std::unique_lock<std::mutex> lock(mutex);
                windowMoved.wait(lock, [&] { return stop.load() || i < consumed + window; });
            }
            if (stop.load())
                return;
            Slot result;
            try {
                result.pixels = preprocessor.preprocessFile(inputs[i].path);
            } catch (const ImageError& e) {
                result.error = std::string(ImageError::reasonName(e.reason())) + ": " + e.what();
            } catch (const std::exception& e) {
                result.error = e.what();
            }
            std::lock_guard<std::mutex> lock(mutex);
            slots[i] = std::move(result);
            slots[i].ready = true;
            slotReady.notify_all();
        }
    };

    const int threadCount = static_cast<int>(std::min<size_t>(static_cast<size_t>(options_.decodeThreads), std::max<size_t>(n, 1)));
    std::vector<std::thread> workers;
    for (int t = 0; t < threadCount; ++t)
        workers.emplace_back(worker);
    auto shutdown = [&] {
        {
            std::lock_guard<std::mutex> lock(mutex);
            stop = true;
        }
        windowMoved.notify_all();
        for (std::thread& t : workers)
            if (t.joinable())
                t.join();
    };

    ImageEmbedResult result;
    ProgressMeter meter("embedding images", static_cast<int64_t>(n), progress);
    try {
        for (size_t begin = 0; begin < n; begin += batch) {
            cancel.throwIfCancelled();
            const size_t end = std::min(n, begin + batch);
            std::vector<PixelTensor> tensors;
            std::vector<size_t> indices;
            for (size_t i = begin; i < end; ++i) {
                Slot slot;
                {
                    std::unique_lock<std::mutex> lock(mutex);
                    slotReady.wait(lock, [&] { return slots[i].ready; });
                    slot = std::move(slots[i]);
                }
                if (slot.pixels) {
                    tensors.push_back(std::move(*slot.pixels));
                    indices.push_back(i);
                } else {
                    result.failures.push_back({inputs[i].label, slot.error});
                }
            }
            if (!tensors.empty()) {
                const Matrix embedded = model_.encodeImages(tensors);
                // A NaN or infinite row would poison every search it takes
                // part in: the image fails instead, with the likely cause.
                for (size_t k = 0; k < indices.size(); ++k) {
                    const auto row = static_cast<int64_t>(k);
                    if (allFinite(embedded.row(row), embedded.cols)) {
                        result.embeddings.appendRows(embedded.selectRows({row}));
                        result.succeeded.push_back(indices[k]);
                    } else {
                        result.failures.push_back({inputs[indices[k]].label, kNonFiniteImageReason});
                    }
                }
            }
            {
                std::lock_guard<std::mutex> lock(mutex);
                consumed = end;
            }
            windowMoved.notify_all();
            meter.update(static_cast<int64_t>(end));
        }
    } catch (...) {
        shutdown();
        throw;
    }
    shutdown();
    result.seconds = monotonicSeconds() - start;
    return result;
}

Matrix BatchEmbedder::embedTexts(const std::vector<std::string>& texts, const ProgressCallback& progress,
                                 const CancelToken& cancel)
{
    Matrix out;
    ProgressMeter meter("embedding texts", static_cast<int64_t>(texts.size()), progress);
    const size_t batch = static_cast<size_t>(options_.batchSize);
    for (size_t begin = 0; begin < texts.size(); begin += batch) {
        cancel.throwIfCancelled();
        const size_t end = std::min(texts.size(), begin + batch);
        const std::vector<std::string> chunk(texts.begin() + static_cast<std::ptrdiff_t>(begin),
                                             texts.begin() + static_cast<std::ptrdiff_t>(end));
        const Matrix embedded = model_.encodeTexts(chunk);
        for (int64_t r = 0; r < embedded.rows; ++r)
            if (!allFinite(embedded.row(r), embedded.cols))
                throw Error("model " + model_.info().name + " returned NaN or infinite values for the text \"" +
                            chunk[static_cast<size_t>(r)] + "\"; the model is broken or its settings are wrong");
        out.appendRows(embedded);
        meter.update(static_cast<int64_t>(end));
    }
    return out;
}

}  // namespace xbt

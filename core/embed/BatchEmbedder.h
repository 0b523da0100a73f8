#pragma once
// Embeds many image files or texts with one model: decoding and preprocessing
// run on a thread pool, ahead of and overlapped with model inference, in
// batches. Results keep input order; files that fail are reported, not fatal.

#include "core/data/ImageFiles.h"
#include "core/model/EmbeddingModel.h"
#include "core/util/Matrix.h"
#include "core/util/Progress.h"

#include <string>
#include <vector>

namespace xbt {

struct EmbedOptions {
    int batchSize = 32;
    int decodeThreads = 0;  // 0: one per core
};

struct ImageFailure {
    std::string label;
    std::string reason;
};

// The failure reason of an image whose embedding came out NaN or infinite.
extern const char* const kNonFiniteImageReason;

struct ImageEmbedResult {
    Matrix embeddings;                  // one row per succeeded input, in input order
    std::vector<size_t> succeeded;      // input index of each row
    std::vector<ImageFailure> failures; // in input order
    double seconds = 0.0;
};

class BatchEmbedder {
public:
    BatchEmbedder(EmbeddingModel& model, EmbedOptions options);

    ImageEmbedResult embedImages(const std::vector<ImageInput>& inputs, const ProgressCallback& progress = {},
                                 const CancelToken& cancel = {});
    Matrix embedTexts(const std::vector<std::string>& texts, const ProgressCallback& progress = {},
                      const CancelToken& cancel = {});

    const EmbedOptions& options() const { return options_; }

private:
    EmbeddingModel& model_;
    EmbedOptions options_;
};

}  // namespace xbt

#pragma once
// Embeds a captioned split (its images and captions) with one model.

#include "core/data/CaptionedSplit.h"
#include "core/embed/BatchEmbedder.h"

namespace xbt {

struct SplitEmbeddings {
    Matrix images;                       // rows: images that decoded, in split order
    Matrix texts;                        // rows: every caption, in split order
    std::vector<size_t> embeddedImages;  // split index of each image row
    std::vector<ImageFailure> failures;
    double imageSeconds = 0.0;
};

SplitEmbeddings embedSplit(EmbeddingModel& model, const CaptionedSplit& split, const EmbedOptions& options,
                           const ProgressCallback& progress = {}, const CancelToken& cancel = {});

}  // namespace xbt

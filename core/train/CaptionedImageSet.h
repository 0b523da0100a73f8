#pragma once
// Images with their captions, held in memory for training and validation.

#include "core/image/PreprocessSettings.h"

#include <string>
#include <vector>

namespace xbt {

struct CaptionedImageSet {
    std::vector<PixelTensor> images;                 // preprocessed, one size
    std::vector<std::vector<std::string>> captions;  // per image, at least one
    std::vector<std::string> categories;             // per image, or empty
    // Per image: the index of its hard-case twin (same words, other binding
    // or relation), or -1. Training keeps twins in one batch, so that the
    // contrastive loss must tell them apart. Empty when there are none.
    std::vector<int64_t> twins;

    size_t size() const { return images.size(); }
};

}  // namespace xbt

#pragma once
// Training and validation data drawn from the sample world, rendered in
// memory and preprocessed exactly as the same images read from disk would be.

#include "core/image/PreprocessSettings.h"
#include "core/train/CaptionedImageSet.h"
#include "core/util/Progress.h"

#include <cstdint>
#include <string>

namespace xbt {

// `split` is a sample split name ("train-base", "val", ...).
CaptionedImageSet renderSampleWorldSet(uint64_t seed, const std::string& split, int count,
                                       const PreprocessSettings& preprocess, int threads = 0,
                                       const CancelToken& cancel = {});

}  // namespace xbt

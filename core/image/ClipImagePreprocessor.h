#pragma once
// CLIP's image preprocessing, bit-compatible with the reference pipeline
// (PIL bicubic resize of the shorter side with antialiasing, centre crop,
// RGB, [0,1], mean/std normalisation). See ../shared/clip/README.md.

#include "core/image/PreprocessSettings.h"

#include <string>

namespace xbt {

// An image preprocessed for one model (`from`) made into another model's
// input (`to`): the 8-bit centre crop it came from is recovered exactly,
// resized (PIL bicubic) to the other resolution and normalised with the
// other mean and std. Close to, not bit-exact with, preprocessing the file
// for `to` directly (one more resampling of the crop). The same tensor comes
// back when the settings agree on resolution, mean and std.
PixelTensor convertPreprocessed(const PixelTensor& image, const PreprocessSettings& from, const PreprocessSettings& to);

class ClipImagePreprocessor {
public:
    explicit ClipImagePreprocessor(PreprocessSettings settings);

    // Throws xbt::ImageError (with a reason) for files that cannot be used.
    PixelTensor preprocessFile(const std::string& path) const;
    // `name` is only used in error messages.
    PixelTensor preprocessBytes(const std::string& bytes, const std::string& name) const;

    const PreprocessSettings& settings() const { return settings_; }

private:
    PreprocessSettings settings_;
};

}  // namespace xbt

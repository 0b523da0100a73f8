#pragma once
// How an image becomes the tensor a model sees. Defaults are CLIP's.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace xbt {

struct PreprocessSettings {
    int inputResolution = 224;
    std::array<float, 3> mean{0.48145466f, 0.4578275f, 0.40821073f};
    std::array<float, 3> std{0.26862954f, 0.26130258f, 0.27577711f};
    // The reference pipeline ignores EXIF orientation; thumbnails always apply it.
    bool applyExifOrientation = false;
    // Images above this many pixels are refused from their header, never decoded.
    int64_t maxPixels = 100'000'000;
    // Opt-in: decode large JPEGs at a reduced scale (DCT-domain) before resizing.
    // Faster, but no longer bit-exact with the reference pipeline.
    bool fastDecode = false;

    // A canonical text of the settings that change pixels, for fingerprints.
    std::string canonicalText() const;
};

// A preprocessed image: float32, channels-first [channels, height, width].
struct PixelTensor {
    int channels = 3;
    int height = 0;
    int width = 0;
    std::vector<float> data;
};

}  // namespace xbt

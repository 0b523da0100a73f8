#pragma once
// Small upright previews for the gallery.

#include <cstdint>
#include <string>
#include <vector>

namespace xbt {

// The image at `path` as PNG bytes, scaled (never enlarged) so that its longer
// side is at most `maxSide`, with EXIF orientation applied and alpha kept.
// Throws xbt::ImageError like the preprocessor, including TooLarge above `maxPixels`.
std::vector<uint8_t> makeThumbnailPng(const std::string& path, int maxSide, int64_t maxPixels = 100'000'000);

}  // namespace xbt

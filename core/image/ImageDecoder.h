#pragma once
// Decoding image bytes into 8-bit pixels in Pillow's mode terms, refusing
// unsupported and oversized images from their header before decoding.

#include "core/image/ImageHeader.h"
#include "core/image/RasterImage.h"

#include <cstdint>
#include <string>

namespace xbt {

struct DecodeOptions {
    int64_t maxPixels = 100'000'000;
    bool applyExifOrientation = false;
    // When either is positive, a JPEG may be decoded at 1/2, 1/4 or 1/8 scale in the
    // DCT domain: the largest reduction that keeps both sides at least this long.
    // Much faster for large photos, but not bit-exact with a full decode.
    int minShorterSide = 0;
    int minLongerSide = 0;
};

struct DecodedImage {
    ImageHeader header;
    RasterImage image;
};

// Throws xbt::ImageError naming `name` (Empty, Unsupported, Corrupt, TooLarge).
DecodedImage decodeImage(const std::string& bytes, const std::string& name, const DecodeOptions& options);

// Reads the file, turning I/O failures into ImageError::Reason::Unreadable.
std::string readImageFile(const std::string& path);

}  // namespace xbt

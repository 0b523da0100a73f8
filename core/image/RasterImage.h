#pragma once
// Decoded 8-bit pixels labelled with the Pillow mode that decides how the
// reference pipeline resizes and converts them.

#include <cstdint>
#include <string>
#include <vector>

namespace xbt {

// P: a palette image; the decoder already expanded it to RGB, but it keeps the
// label because Pillow resizes palette images with nearest-neighbour sampling.
enum class PixelMode { L, LA, RGB, RGBA, P };

int channelCount(PixelMode mode);
const char* modeName(PixelMode mode);

struct RasterImage {
    PixelMode mode = PixelMode::RGB;
    int width = 0;
    int height = 0;
    std::vector<uint8_t> pixels;  // rows top to bottom, channels interleaved (LA: L, A)
    // Colour already multiplied by alpha, as libtiff delivers unassociated alpha.
    bool premultiplied = false;

    int channels() const { return channelCount(mode); }
    size_t rowBytes() const { return size_t(width) * size_t(channels()); }
};

// Pillow's RGBA <-> RGBa conversions (Convert.c), on LA and RGBA images; they
// update `premultiplied` and do nothing when it already has the wanted value.
void premultiplyAlpha(RasterImage& image);
void unpremultiplyAlpha(RasterImage& image);

// The image as interleaved RGB the way Pillow's convert("RGB") produces it:
// alpha dropped as stored, grey replicated.
std::vector<uint8_t> toRgb(const RasterImage& image);

}  // namespace xbt

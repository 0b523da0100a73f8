#include "core/image/RasterImage.h"

#include <algorithm>

namespace xbt {

int channelCount(PixelMode mode)
{
    switch (mode) {
    case PixelMode::L: return 1;
    case PixelMode::LA: return 2;
    case PixelMode::RGB: return 3;
    case PixelMode::RGBA: return 4;
    case PixelMode::P: return 3;
    }
    return 3;
}

const char* modeName(PixelMode mode)
{
    switch (mode) {
    case PixelMode::L: return "L";
    case PixelMode::LA: return "LA";
    case PixelMode::RGB: return "RGB";
    case PixelMode::RGBA: return "RGBA";
    case PixelMode::P: return "P";
    }
    return "?";
}

namespace {

// Exactly round(a * b / 255) for 8-bit operands.
uint8_t mulDiv255(unsigned a, unsigned b)
{
    const unsigned t = a * b + 128;
    return static_cast<uint8_t>(((t >> 8) + t) >> 8);
}

bool hasAlpha(const RasterImage& image)
{
    return image.mode == PixelMode::LA || image.mode == PixelMode::RGBA;
}

}  // namespace

void premultiplyAlpha(RasterImage& image)
{
    if (image.premultiplied || !hasAlpha(image))
        return;
    const int c = image.channels();
    for (size_t i = 0; i < image.pixels.size(); i += c)
        for (int ch = 0; ch < c - 1; ++ch)
            image.pixels[i + ch] = mulDiv255(image.pixels[i + ch], image.pixels[i + c - 1]);
    image.premultiplied = true;
}

void unpremultiplyAlpha(RasterImage& image)
{
    if (!image.premultiplied || !hasAlpha(image))
        return;
    const int c = image.channels();
    for (size_t i = 0; i < image.pixels.size(); i += c) {
        const unsigned alpha = image.pixels[i + c - 1];
        // Fully opaque and fully transparent pixels keep their values.
        if (alpha == 0 || alpha == 255)
            continue;
        for (int ch = 0; ch < c - 1; ++ch)
            image.pixels[i + ch] = static_cast<uint8_t>(std::min(255u, 255u * image.pixels[i + ch] / alpha));
    }
    image.premultiplied = false;
}

std::vector<uint8_t> toRgb(const RasterImage& image)
{
    if (image.premultiplied) {
        RasterImage straight = image;
        unpremultiplyAlpha(straight);
        return toRgb(straight);
    }
    const size_t count = size_t(image.width) * size_t(image.height);
    const int c = image.channels();
    std::vector<uint8_t> rgb(count * 3);
    const uint8_t* in = image.pixels.data();
    uint8_t* out = rgb.data();
    const bool grey = image.mode == PixelMode::L || image.mode == PixelMode::LA;
    for (size_t i = 0; i < count; ++i, in += c, out += 3) {
        out[0] = in[0];
        out[1] = grey ? in[0] : in[1];
        out[2] = grey ? in[0] : in[2];
    }
    return rgb;
}

}  // namespace xbt

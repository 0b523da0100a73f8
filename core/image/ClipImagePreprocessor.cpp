#include "core/image/ClipImagePreprocessor.h"

#include "core/image/ImageDecoder.h"
#include "core/image/ImageError.h"
#include "core/image/PilResample.h"

#include <algorithm>
#include <cmath>

namespace xbt {

namespace {

// torchvision Resize(int): the shorter side becomes `res`, the longer one
// int(res * long / short), truncated as Python's int() does.
void resizedSize(int width, int height, int res, int& outWidth, int& outHeight)
{
    const int shorter = std::min(width, height);
    const int longer = std::max(width, height);
    const int newLonger = int(double(int64_t(res) * longer) / shorter);
    outWidth = width <= height ? res : newLonger;
    outHeight = width <= height ? newLonger : res;
}

// torchvision CenterCrop: int(round((size - crop) / 2.0)) with Python's
// round-half-to-even, which nearbyint gives under the default rounding mode.
int cropOffset(int size, int crop)
{
    return int(std::nearbyint((size - crop) / 2.0));
}

}  // namespace

ClipImagePreprocessor::ClipImagePreprocessor(PreprocessSettings settings) : settings_(std::move(settings)) {}

PixelTensor ClipImagePreprocessor::preprocessFile(const std::string& path) const
{
    return preprocessBytes(readImageFile(path), path);
}

PixelTensor ClipImagePreprocessor::preprocessBytes(const std::string& bytes, const std::string& name) const
{
    const int res = settings_.inputResolution;
    DecodeOptions options;
    options.maxPixels = settings_.maxPixels;
    options.applyExifOrientation = settings_.applyExifOrientation;
    if (settings_.fastDecode)
        options.minShorterSide = 2 * res;  // leaves the antialiasing filter real work to do
    const RasterImage decoded = decodeImage(bytes, name, options).image;

    int width = 0, height = 0;
    resizedSize(decoded.width, decoded.height, res, width, height);
    const CropWindow window{cropOffset(width, res), cropOffset(height, res), res, res};
    const std::vector<uint8_t> rgb = toRgb(pilResize(decoded, width, height, window));

    // Scale and normalise in float32 as ToTensor + Normalize do.
    PixelTensor t;
    t.channels = 3;
    t.height = res;
    t.width = res;
    t.data.resize(size_t(3) * res * res);
    const size_t plane = size_t(res) * res;
    for (int y = 0; y < res; ++y) {
        const uint8_t* row = rgb.data() + size_t(y) * res * 3;
        for (int x = 0; x < res; ++x)
            for (int c = 0; c < 3; ++c) {
                const float v = float(row[size_t(x) * 3 + c]) / 255.0f;
                t.data[c * plane + size_t(y) * res + x] = (v - settings_.mean[c]) / settings_.std[c];
            }
    }
    return t;
}

PixelTensor convertPreprocessed(const PixelTensor& image, const PreprocessSettings& from, const PreprocessSettings& to)
{
    if (from.inputResolution == to.inputResolution && from.mean == to.mean && from.std == to.std)
        return image;
    if (image.channels != 3 || image.width <= 0 || image.height <= 0)
        throw Error("cannot convert a preprocessed image of " + std::to_string(image.channels) + " channels, " +
                         std::to_string(image.width) + "x" + std::to_string(image.height));
    RasterImage rgb;
    rgb.mode = PixelMode::RGB;
    rgb.width = image.width;
    rgb.height = image.height;
    rgb.pixels.resize(size_t(image.width) * size_t(image.height) * 3);
    const size_t plane = size_t(image.width) * size_t(image.height);
    for (size_t i = 0; i < plane; ++i)
        for (size_t c = 0; c < 3; ++c) {
            const float v = (image.data[c * plane + i] * from.std[c] + from.mean[c]) * 255.0f;
            rgb.pixels[i * 3 + c] = static_cast<uint8_t>(std::lround(std::min(255.0f, std::max(0.0f, v))));
        }
    const int res = to.inputResolution;
    const RasterImage resized = pilResize(rgb, res, res);
    PixelTensor t;
    t.channels = 3;
    t.height = res;
    t.width = res;
    t.data.resize(size_t(res) * size_t(res) * 3);
    const size_t outPlane = size_t(res) * size_t(res);
    for (size_t i = 0; i < outPlane; ++i)
        for (size_t c = 0; c < 3; ++c)
            t.data[c * outPlane + i] = (float(resized.pixels[i * 3 + c]) / 255.0f - to.mean[c]) / to.std[c];
    return t;
}

}  // namespace xbt

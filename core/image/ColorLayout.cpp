#include "core/image/ColorLayout.h"

#include "core/image/ImageDecoder.h"
#include "core/util/Error.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <array>
#include <utility>

namespace xbt {

namespace {

constexpr int kGrid = 8;

// (row, column) of the 8 x 8 DCT coefficients in JPEG's zig-zag order.
const std::array<std::pair<int, int>, kGrid * kGrid>& zigZag()
{
    static const auto order = [] {
        std::array<std::pair<int, int>, kGrid * kGrid> o{};
        int n = 0;
        for (int diagonal = 0; diagonal < 2 * kGrid - 1; ++diagonal) {
            for (int i = 0; i <= diagonal; ++i) {
                const int r = diagonal % 2 == 0 ? diagonal - i : i;
                const int c = diagonal - r;
                if (r < kGrid && c < kGrid)
                    o[n++] = {r, c};
            }
        }
        return o;
    }();
    return order;
}

}  // namespace

std::vector<float> colorLayoutDescriptor(const RasterImage& image, int dims)
{
    if (dims < 4 || dims > 2 * kGrid * kGrid || dims % 4 != 0)
        throw Error("colour layout: " + std::to_string(dims) + " coefficients asked; give a multiple of 4 from 4 to 128");
    if (image.width <= 0 || image.height <= 0)
        throw Error("colour layout: the image has no pixels");
    RasterImage plain = image;
    unpremultiplyAlpha(plain);
    std::vector<uint8_t> rgb = toRgb(plain);
    const cv::Mat pixels(image.height, image.width, CV_8UC3, rgb.data());
    cv::Mat small, unit, ycrcb;
    // Area averaging: every pixel counts, whatever the image's size.
    cv::resize(pixels, small, cv::Size(kGrid, kGrid), 0, 0, cv::INTER_AREA);
    small.convertTo(unit, CV_32FC3, 1.0 / 255.0);
    cv::cvtColor(unit, ycrcb, cv::COLOR_RGB2YCrCb);
    cv::Mat channels[3];
    cv::split(ycrcb, channels);
    const int perChannel[3] = {dims / 2, dims / 4, dims / 4};
    std::vector<float> out;
    out.reserve(static_cast<size_t>(dims));
    for (int c = 0; c < 3; ++c) {
        cv::Mat coefficients;
        cv::dct(channels[c], coefficients);
        for (int k = 0; k < perChannel[c]; ++k) {
            const auto [r, col] = zigZag()[static_cast<size_t>(k)];
            out.push_back(coefficients.at<float>(r, col) / kGrid);
        }
    }
    return out;
}

std::vector<float> colorLayoutOfFile(const std::string& path, int dims, int64_t maxPixels)
{
    DecodeOptions options;
    options.maxPixels = maxPixels;
    options.applyExifOrientation = true;
    options.minShorterSide = 4 * kGrid;
    return colorLayoutDescriptor(decodeImage(readImageFile(path), path, options).image, dims);
}

}  // namespace xbt

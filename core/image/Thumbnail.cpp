#include "core/image/Thumbnail.h"

#include "core/image/ImageDecoder.h"
#include "core/image/ImageError.h"
#include "core/image/PilResample.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>

namespace xbt {

std::vector<uint8_t> makeThumbnailPng(const std::string& path, int maxSide, int64_t maxPixels)
{
    DecodeOptions options;
    options.maxPixels = maxPixels;
    options.applyExifOrientation = true;
    options.minLongerSide = 2 * maxSide;
    RasterImage image = decodeImage(readImageFile(path), path, options).image;
    // Nearest-neighbour palette scaling looks poor at thumbnail sizes.
    if (image.mode == PixelMode::P)
        image.mode = PixelMode::RGB;

    const int longer = std::max(image.width, image.height);
    if (longer > maxSide) {
        const double scale = double(maxSide) / longer;
        image = pilResize(image, std::max(1, int(std::lround(image.width * scale))),
                          std::max(1, int(std::lround(image.height * scale))));
    }

    unpremultiplyAlpha(image);
    // PNG wants BGR(A) or grey(+alpha) the OpenCV way; grey+alpha goes out as BGRA.
    const int channels = image.channels();
    const bool alpha = image.mode == PixelMode::LA || image.mode == PixelMode::RGBA;
    const int outChannels = image.mode == PixelMode::L ? 1 : (alpha ? 4 : 3);
    cv::Mat bgr(image.height, image.width, CV_MAKETYPE(CV_8U, outChannels));
    for (int y = 0; y < image.height; ++y) {
        const uint8_t* in = image.pixels.data() + size_t(y) * image.rowBytes();
        uint8_t* out = bgr.ptr<uint8_t>(y);
        for (int x = 0; x < image.width; ++x, in += channels, out += outChannels) {
            const bool grey = channels <= 2;
            out[0] = grey ? in[0] : in[2];
            if (outChannels >= 3) {
                out[1] = grey ? in[0] : in[1];
                out[2] = in[0];
            }
            if (alpha)
                out[3] = in[channels - 1];
        }
    }
    std::vector<uint8_t> png;
    if (!cv::imencode(".png", bgr, png))
        throw ImageError(ImageError::Reason::Unsupported, path, "could not encode the thumbnail");
    return png;
}

}  // namespace xbt

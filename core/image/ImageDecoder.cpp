#include "core/image/ImageDecoder.h"

#include "core/util/FileUtil.h"

#include "core/image/ImageError.h"
#include "core/image/PngPixelChunks.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace xbt {

namespace {

using Reason = ImageError::Reason;

std::string megapixels(int64_t pixels, const char* format)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, format, double(pixels) / 1e6);
    return buf;
}

void checkPixelLimit(const ImageHeader& h, const std::string& name, int64_t maxPixels)
{
    if (maxPixels <= 0 || h.pixelCount() <= maxPixels)
        return;
    throw ImageError(Reason::TooLarge, name,
                     std::to_string(h.width) + " x " + std::to_string(h.height) + " = " +
                         megapixels(h.pixelCount(), "%.1f") + " megapixels exceeds the limit of " +
                         megapixels(maxPixels, "%g") + "; raise it with --max-megapixels");
}

// The IMREAD flags for a DCT-domain reduced JPEG decode, or IMREAD_UNCHANGED.
int decodeFlags(const ImageHeader& h, const DecodeOptions& options)
{
    if (h.format != "JPEG" || (options.minShorterSide <= 0 && options.minLongerSide <= 0))
        return cv::IMREAD_UNCHANGED;
    const int shorter = std::min(h.width, h.height);
    const int longer = std::max(h.width, h.height);
    for (int factor : {8, 4, 2}) {
        if (shorter / factor < options.minShorterSide || longer / factor < options.minLongerSide)
            continue;
        const bool grey = h.channels == 1;
        const int flags = factor == 8   ? (grey ? cv::IMREAD_REDUCED_GRAYSCALE_8 : cv::IMREAD_REDUCED_COLOR_8)
                          : factor == 4 ? (grey ? cv::IMREAD_REDUCED_GRAYSCALE_4 : cv::IMREAD_REDUCED_COLOR_4)
                                        : (grey ? cv::IMREAD_REDUCED_GRAYSCALE_2 : cv::IMREAD_REDUCED_COLOR_2);
        return flags | cv::IMREAD_IGNORE_ORIENTATION;
    }
    return cv::IMREAD_UNCHANGED;
}

// Pillow reads 16-bit colour PNGs by their high byte; grey and float data are
// rarer and only need to embed sensibly, so they are scaled the same way.
cv::Mat to8Bit(const cv::Mat& m, const std::string& name)
{
    switch (m.depth()) {
    case CV_8U: return m;
    case CV_16U: {
        cv::Mat out(m.size(), CV_MAKETYPE(CV_8U, m.channels()));
        const size_t n = size_t(m.cols) * m.channels();
        for (int y = 0; y < m.rows; ++y) {
            const uint16_t* in = m.ptr<uint16_t>(y);
            uint8_t* o = out.ptr<uint8_t>(y);
            for (size_t i = 0; i < n; ++i)
                o[i] = static_cast<uint8_t>(in[i] >> 8);
        }
        return out;
    }
    case CV_32F:
    case CV_64F: {
        cv::Mat out;
        m.convertTo(out, CV_8U, 255.0);
        return out;
    }
    default:
        throw ImageError(Reason::Unsupported, name, "unsupported sample type (depth " + std::to_string(m.depth()) + ")");
    }
}

// EXIF orientation as Pillow's ImageOps.exif_transpose applies it.
cv::Mat orient(const cv::Mat& m, int orientation)
{
    cv::Mat out;
    switch (orientation) {
    case 2: cv::flip(m, out, 1); break;
    case 3: cv::rotate(m, out, cv::ROTATE_180); break;
    case 4: cv::flip(m, out, 0); break;
    case 5: cv::transpose(m, out); break;
    case 6: cv::rotate(m, out, cv::ROTATE_90_CLOCKWISE); break;
    case 7: {
        cv::Mat t;
        cv::transpose(m, t);
        cv::flip(t, out, -1);
        break;
    }
    case 8: cv::rotate(m, out, cv::ROTATE_90_COUNTERCLOCKWISE); break;
    default: return m;
    }
    return out;
}

PixelMode modeFor(const ImageHeader& h, int decodedChannels)
{
    if (h.palette)
        return PixelMode::P;
    switch (decodedChannels) {
    case 1: return PixelMode::L;
    case 2: return PixelMode::LA;
    case 4:
        // OpenCV widens grey+alpha PNGs to BGRA; transparency without an alpha
        // channel (tRNS on RGB) is ignored by Pillow's RGB conversion.
        if (!h.hasAlpha)
            return PixelMode::RGB;
        return h.channels == 2 ? PixelMode::LA : PixelMode::RGBA;
    default: return PixelMode::RGB;
    }
}

// OpenCV's BGR(A) / grey layouts to the mode's RGB-ordered interleaving,
// converted straight into the raster's buffer.
RasterImage toRaster(const cv::Mat& m, PixelMode mode)
{
    RasterImage r;
    r.mode = mode;
    r.width = m.cols;
    r.height = m.rows;
    r.pixels.resize(r.rowBytes() * r.height);
    cv::Mat out(m.rows, m.cols, CV_MAKETYPE(CV_8U, r.channels()), r.pixels.data());
    const int in = m.channels();
    switch (r.channels()) {
    case 1: m.copyTo(out); break;
    case 2:
        if (in == 2) {
            m.copyTo(out);
        } else {
            // Grey+alpha widened to BGRA: any colour channel and the alpha.
            const int pairs[] = {0, 0, in - 1, 1};
            cv::mixChannels(&m, 1, &out, 1, pairs, 2);
        }
        break;
    case 3:
        // A palette of greys comes back as one channel.
        cv::cvtColor(m, out, in == 1 ? cv::COLOR_GRAY2RGB : (in == 4 ? cv::COLOR_BGRA2RGB : cv::COLOR_BGR2RGB));
        break;
    default: cv::cvtColor(m, out, cv::COLOR_BGRA2RGBA); break;
    }
    return r;
}

}  // namespace

DecodedImage decodeImage(const std::string& bytes, const std::string& name, const DecodeOptions& options)
{
    DecodedImage result;
    result.header = probeImageHeader(bytes, name);
    const ImageHeader& h = result.header;
    checkPixelLimit(h, name, options.maxPixels);
    if (h.truncated)
        throw ImageError(Reason::Corrupt, name, "truncated " + h.format + " data (the file ends before its end marker)");
    if (bytes.size() > size_t(std::numeric_limits<int>::max()))
        throw ImageError(Reason::TooLarge, name, "the file is larger than 2 GiB");

    // libpng would print its complaints about a PNG on stderr: the PNG is
    // checked here (errors name the file) and handed over without the
    // chunks it warns about.
    const std::string pixelChunks = h.format == "PNG" ? pngPixelChunks(bytes, name) : std::string();
    const std::string& input = h.format == "PNG" ? pixelChunks : bytes;
    cv::Mat decoded;
    try {
        const cv::Mat buffer(1, int(input.size()), CV_8U, const_cast<char*>(input.data()));
        decoded = cv::imdecode(buffer, decodeFlags(h, options));
    } catch (const cv::Exception& e) {
        throw ImageError(Reason::Corrupt, name, "could not decode the " + h.format + " data: " + e.what());
    }
    if (decoded.empty()) {
        if (h.format == "JPEG 2000")
            throw ImageError(Reason::Unsupported, name, "this JPEG 2000 variant cannot be decoded");
        throw ImageError(Reason::Corrupt, name, "could not decode the " + h.format + " data (truncated or damaged)");
    }
    decoded = to8Bit(decoded, name);
    if (options.applyExifOrientation)
        decoded = orient(decoded, h.exifOrientation);
    result.image = toRaster(decoded, modeFor(h, decoded.channels()));
    // OpenCV reads 8-bit TIFFs through libtiff's RGBA interface, which premultiplies
    // unassociated alpha with the same rounding as Pillow's RGBA -> RGBa.
    result.image.premultiplied = h.format == "TIFF" && h.bitDepth == 8 && h.tiffExtraSample == 2 &&
                                 result.image.mode == PixelMode::RGBA;
    return result;
}

std::string readImageFile(const std::string& path)
{
    std::string why;
    const FileDescriptor fd = openRegularFile(path, why);
    if (fd.get() < 0)
        throw ImageError(Reason::Unreadable, path, why);
    try {
        return readAll(fd.get(), path);
    } catch (const Error&) {
        throw ImageError(Reason::Unreadable, path, std::string("read error: ") + std::strerror(errno));
    }
}

}  // namespace xbt

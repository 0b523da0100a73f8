#include "core/image/PilResample.h"

#include <algorithm>
#include <cmath>

namespace xbt {

namespace {

// Pillow keeps 8 bits for the result and two for overshoot of the cubic's
// negative lobes in a 32-bit accumulator.
constexpr int kPrecisionBits = 32 - 8 - 2;
constexpr double kBicubicSupport = 2.0;

double bicubic(double x)
{
    constexpr double a = -0.5;
    x = std::fabs(x);
    if (x < 1.0)
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0)
        return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

uint8_t clip8(int32_t sum)
{
    return static_cast<uint8_t>(std::clamp(sum >> kPrecisionBits, 0, 255));
}

// For a run of output positions: each one's window into the input and its
// fixed-point weights.
struct Coefficients {
    int ksize = 0;
    std::vector<int> first;  // first input index per output index
    std::vector<int> count;  // taps used per output index
    std::vector<int32_t> weights;  // ksize per output index
};

// Mirrors precompute_coeffs + normalize_coeffs_8bpc (weights in double,
// normalised to sum 1, then rounded half away from zero to fixed point) for
// output positions [outFirst, outFirst + outCount) of `outSize`: each position's
// weights depend on nothing else, so a crop window needs only its own.
Coefficients precompute(int inSize, int outSize, int outFirst, int outCount)
{
    const double scale = double(inSize) / outSize;
    const double filterScale = std::max(scale, 1.0);
    const double support = kBicubicSupport * filterScale;
    Coefficients c;
    c.ksize = int(std::ceil(support)) * 2 + 1;
    c.first.resize(outCount);
    c.count.resize(outCount);
    c.weights.assign(size_t(outCount) * c.ksize, 0);
    std::vector<double> w(c.ksize);
    for (int i = 0; i < outCount; ++i) {
        const double center = (outFirst + i + 0.5) * scale;
        const double ss = 1.0 / filterScale;
        // Truncation toward zero, as Pillow's (int) casts.
        const int xmin = std::max(int(center - support + 0.5), 0);
        const int xmax = std::min(int(center + support + 0.5), inSize) - xmin;
        double total = 0.0;
        for (int x = 0; x < xmax; ++x) {
            w[x] = bicubic((x + xmin - center + 0.5) * ss);
            total += w[x];
        }
        int32_t* k = &c.weights[size_t(i) * c.ksize];
        for (int x = 0; x < xmax; ++x) {
            const double v = total != 0.0 ? w[x] / total : w[x];
            k[x] = v < 0 ? int32_t(-0.5 + v * (1 << kPrecisionBits)) : int32_t(0.5 + v * (1 << kPrecisionBits));
        }
        c.first[i] = xmin;
        c.count[i] = xmax;
    }
    return c;
}

// A block of 8-bit pixels: `data` points at its first pixel, rows `stride` bytes apart.
struct View {
    const uint8_t* data;
    size_t stride;
};

RasterImage blank(const RasterImage& like, int width, int height)
{
    RasterImage r;
    r.mode = like.mode;
    r.premultiplied = like.premultiplied;
    r.width = width;
    r.height = height;
    r.pixels.assign(r.rowBytes() * size_t(height), 0);
    return r;
}

// ImagingResampleHorizontal_8bpc over `rows` input rows, for the output columns
// `c` was computed for. The channel count is a template parameter so that the
// tap loop unrolls.
template <int Channels>
void resampleHorizontal(View in, int rows, const Coefficients& c, RasterImage& out)
{
    for (int yy = 0; yy < rows; ++yy) {
        const uint8_t* src = in.data + size_t(yy) * in.stride;
        uint8_t* dst = out.pixels.data() + size_t(yy) * out.rowBytes();
        for (int xx = 0; xx < out.width; ++xx, dst += Channels) {
            const int32_t* k = &c.weights[size_t(xx) * c.ksize];
            const uint8_t* p = src + size_t(c.first[xx]) * Channels;
            const int taps = c.count[xx];
            // Separate scalars, as in Pillow, keep the sums in registers.
            int32_t s0 = 1 << (kPrecisionBits - 1), s1 = s0, s2 = s0, s3 = s0;
            for (int x = 0; x < taps; ++x, p += Channels) {
                s0 += p[0] * k[x];
                if constexpr (Channels > 1)
                    s1 += p[1] * k[x];
                if constexpr (Channels > 2)
                    s2 += p[2] * k[x];
                if constexpr (Channels > 3)
                    s3 += p[3] * k[x];
            }
            dst[0] = clip8(s0);
            if constexpr (Channels > 1)
                dst[1] = clip8(s1);
            if constexpr (Channels > 2)
                dst[2] = clip8(s2);
            if constexpr (Channels > 3)
                dst[3] = clip8(s3);
        }
    }
}

void resampleHorizontal(View in, int rows, int channels, const Coefficients& c, RasterImage& out)
{
    switch (channels) {
    case 1: resampleHorizontal<1>(in, rows, c, out); break;
    case 2: resampleHorizontal<2>(in, rows, c, out); break;
    case 3: resampleHorizontal<3>(in, rows, c, out); break;
    default: resampleHorizontal<4>(in, rows, c, out); break;
    }
}

// ImagingResampleVertical_8bpc for the output rows `c` was computed for; `in`
// starts at input row `inFirstRow` and holds the output's columns.
void resampleVertical(View in, int inFirstRow, const Coefficients& c, RasterImage& out)
{
    const size_t row = out.rowBytes();
    std::vector<int32_t> sums(row);
    for (int yy = 0; yy < out.height; ++yy) {
        const int32_t* k = &c.weights[size_t(yy) * c.ksize];
        std::fill(sums.begin(), sums.end(), 1 << (kPrecisionBits - 1));
        const uint8_t* src = in.data + size_t(c.first[yy] - inFirstRow) * in.stride;
        for (int y = 0; y < c.count[yy]; ++y, src += in.stride)
            for (size_t i = 0; i < row; ++i)
                sums[i] += src[i] * k[y];
        uint8_t* dst = out.pixels.data() + size_t(yy) * row;
        for (size_t i = 0; i < row; ++i)
            dst[i] = clip8(sums[i]);
    }
}

RasterImage crop(const RasterImage& image, const CropWindow& w)
{
    RasterImage out = blank(image, w.width, w.height);
    const size_t offset = size_t(w.left) * size_t(image.channels());
    for (int y = 0; y < w.height; ++y)
        std::copy_n(image.pixels.data() + size_t(w.top + y) * image.rowBytes() + offset, out.rowBytes(),
                    out.pixels.data() + size_t(y) * out.rowBytes());
    return out;
}

// Geometry.c's COORD: floor for the non-negative range, -1 below it.
int coord(double v)
{
    return v < 0.0 ? -1 : int(v);
}

}  // namespace

RasterImage pilResampleBicubic(const RasterImage& image, int width, int height, const CropWindow& window)
{
    const int channels = image.channels();
    const bool needHorizontal = width != image.width;
    const bool needVertical = height != image.height;
    const Coefficients vertical = precompute(image.height, height, window.top, window.height);
    const int last = window.height - 1;
    // Pillow passes only the input rows the vertical pass reads through the
    // horizontal one; with a window, those of the window's rows.
    const int firstInRow = needVertical ? vertical.first[0] : window.top;
    const int endInRow = needVertical ? vertical.first[last] + vertical.count[last] : window.top + window.height;

    RasterImage temp;
    View source{image.pixels.data() + size_t(window.left) * channels, image.rowBytes()};
    int sourceFirstRow = 0;
    if (needHorizontal) {
        const Coefficients horizontal = precompute(image.width, width, window.left, window.width);
        temp = blank(image, window.width, endInRow - firstInRow);
        resampleHorizontal({image.pixels.data() + size_t(firstInRow) * image.rowBytes(), image.rowBytes()},
                           temp.height, channels, horizontal, temp);
        if (!needVertical)
            return temp;
        source = {temp.pixels.data(), temp.rowBytes()};
        sourceFirstRow = firstInRow;
    }
    if (!needVertical)
        return crop(image, window);
    RasterImage out = blank(image, window.width, window.height);
    resampleVertical(source, sourceFirstRow, vertical, out);
    return out;
}

RasterImage pilResizeNearest(const RasterImage& image, int width, int height, const CropWindow& window)
{
    const int c = image.channels();
    RasterImage out = blank(image, window.width, window.height);
    // Pillow samples pixel centres with an accumulating double step
    // (ImagingScaleAffine); the sums start at the full image's origin.
    const double xStep = double(image.width) / width;
    const double yStep = double(image.height) / height;
    std::vector<int> xin(size_t(window.width), -1);
    double xo = xStep * 0.5;
    for (int x = 0; x < window.left + window.width; ++x, xo += xStep) {
        const int xi = coord(xo);
        if (x >= window.left && xi >= 0 && xi < image.width)
            xin[size_t(x - window.left)] = xi;
    }
    double yo = yStep * 0.5;
    for (int y = 0; y < window.top + window.height; ++y, yo += yStep) {
        const int yi = coord(yo);
        if (y < window.top || yi < 0 || yi >= image.height)
            continue;
        const uint8_t* src = image.pixels.data() + size_t(yi) * image.rowBytes();
        uint8_t* dst = out.pixels.data() + size_t(y - window.top) * out.rowBytes();
        for (int x = 0; x < window.width; ++x)
            if (xin[size_t(x)] >= 0)
                std::copy_n(src + size_t(xin[size_t(x)]) * c, c, dst + size_t(x) * c);
    }
    return out;
}

RasterImage pilResize(const RasterImage& image, int width, int height, const CropWindow& window)
{
    if (width == image.width && height == image.height)
        return crop(image, window);
    if (image.mode == PixelMode::P)
        return pilResizeNearest(image, width, height, window);
    if (image.mode == PixelMode::LA || image.mode == PixelMode::RGBA) {
        RasterImage premultiplied = image;
        premultiplyAlpha(premultiplied);
        RasterImage out = pilResampleBicubic(premultiplied, width, height, window);
        unpremultiplyAlpha(out);
        return out;
    }
    return pilResampleBicubic(image, width, height, window);
}

RasterImage pilResize(const RasterImage& image, int width, int height)
{
    return pilResize(image, width, height, CropWindow{0, 0, width, height});
}

}  // namespace xbt

#include "core/sample/SceneRenderer.h"

#include "core/sample/SamplePalette.h"
#include "core/sample/SampleRandom.h"
#include "core/sample/ShapeOutline.h"
#include "core/util/Error.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace xbt {

namespace {

constexpr int kSize = kSampleImageSize;

cv::Vec3b bgr(const Rgb& c)
{
    return {c.b, c.g, c.r};
}

uint8_t mixChannel(int from, int to, int num, int den)
{
    return static_cast<uint8_t>(from + (to - from) * num / den);
}

cv::Vec3b mix(const Rgb& from, const Rgb& to, int num, int den)
{
    return {mixChannel(from.b, to.b, num, den), mixChannel(from.g, to.g, num, den), mixChannel(from.r, to.r, num, den)};
}

void drawBackground(cv::Mat& img, const BackgroundSpec& b)
{
    const Rgb base = backgroundTones()[static_cast<size_t>(b.tone)];
    const Rgb shaded = shadedTone(b.tone);
    SampleRandom noise(b.noiseSeed);
    for (int y = 0; y < kSize; ++y) {
        cv::Vec3b* row = img.ptr<cv::Vec3b>(y);
        for (int x = 0; x < kSize; ++x) {
            // Position along the pattern's direction, 0 .. 2 * (kSize - 1).
            const int along = b.direction == 0   ? 2 * y
                              : b.direction == 1 ? 2 * x
                              : b.direction == 2 ? x + y
                                                 : kSize - 1 - x + y;
            switch (b.style) {
            case BackgroundStyle::Plain: row[x] = bgr(base); break;
            case BackgroundStyle::Gradient: row[x] = mix(base, shaded, along, 2 * (kSize - 1)); break;
            case BackgroundStyle::Stripes:
                row[x] = (along / 2) % b.stripePeriod < b.stripePeriod / 2 ? bgr(base) : bgr(shaded);
                break;
            case BackgroundStyle::Noise: {
                const int offset = static_cast<int>(noise.below(21)) - 10;
                row[x] = {cv::saturate_cast<uint8_t>(base.b + offset), cv::saturate_cast<uint8_t>(base.g + offset),
                          cv::saturate_cast<uint8_t>(base.r + offset)};
                break;
            }
            }
        }
    }
}

std::vector<cv::Point> toCv(const std::vector<FixedPoint>& points)
{
    std::vector<cv::Point> out;
    out.reserve(points.size());
    for (const FixedPoint& p : points)
        out.emplace_back(p.x, p.y);
    return out;
}

// Diagonal stripes of the object's colour inside its shape, the background
// showing between them, and a thin outline holding the shape together.
void drawStriped(cv::Mat& img, const std::vector<cv::Point>& polygon, const PlacedObject& o, const cv::Scalar& colour)
{
    cv::Mat mask = cv::Mat::zeros(img.size(), CV_8UC1);
    const std::vector<std::vector<cv::Point>> polygons = {polygon};
    cv::fillPoly(mask, polygons, cv::Scalar(255), cv::LINE_AA, kOutlineShift);
    const int period = 6 + 2 * static_cast<int>(o.look.size);
    const Rgb c = objectColour(o.look.colour);
    for (int y = 0; y < kSize; ++y) {
        const uint8_t* m = mask.ptr<uint8_t>(y);
        cv::Vec3b* row = img.ptr<cv::Vec3b>(y);
        for (int x = 0; x < kSize; ++x) {
            const int a = m[x];
            if (a == 0 || (x + y) % period >= period / 2)
                continue;
            cv::Vec3b& p = row[x];
            p = {static_cast<uint8_t>((p[0] * (255 - a) + c.b * a + 127) / 255),
                 static_cast<uint8_t>((p[1] * (255 - a) + c.g * a + 127) / 255),
                 static_cast<uint8_t>((p[2] * (255 - a) + c.r * a + 127) / 255)};
        }
    }
    cv::polylines(img, polygons, true, colour, 1, cv::LINE_AA, kOutlineShift);
}

void drawObject(cv::Mat& img, const PlacedObject& o)
{
    const Rgb c = objectColour(o.look.colour);
    const cv::Scalar colour(c.b, c.g, c.r);
    const std::vector<cv::Point> polygon =
        toCv(shapeOutline(o.look.shape, o.centerX, o.centerY, o.radius, o.rotationDegrees));
    switch (o.look.fill) {
    case Fill::Solid:
        cv::fillPoly(img, std::vector<std::vector<cv::Point>>{polygon}, colour, cv::LINE_AA, kOutlineShift);
        break;
    case Fill::Striped: drawStriped(img, polygon, o, colour); break;
    case Fill::Outlined:
        cv::polylines(img, std::vector<std::vector<cv::Point>>{polygon}, true, colour, std::max(2, o.radius / 6),
                      cv::LINE_AA, kOutlineShift);
        break;
    }
}

cv::Mat renderBgr(const SampleScene& scene)
{
    cv::Mat img(kSize, kSize, CV_8UC3);
    drawBackground(img, scene.background);
    for (const PlacedObject& o : scene.placed)
        drawObject(img, o);
    return img;
}

}  // namespace

std::vector<uint8_t> renderSceneRgb(const SampleScene& scene)
{
    cv::Mat rgb;
    cv::cvtColor(renderBgr(scene), rgb, cv::COLOR_BGR2RGB);
    return std::vector<uint8_t>(rgb.data, rgb.data + rgb.total() * rgb.elemSize());
}

std::string renderScenePng(const SampleScene& scene)
{
    std::vector<uint8_t> png;
    if (!cv::imencode(".png", renderBgr(scene), png, {cv::IMWRITE_PNG_COMPRESSION, 1}))
        throw Error("sample scene " + scene.fileName() + ": PNG encoding failed");
    return std::string(png.begin(), png.end());
}

}  // namespace xbt

#include "core/sample/ShapeOutline.h"

#include <algorithm>
#include <cstdint>

namespace xbt {

namespace {

constexpr int kOne = 1 << 14;  // 1.0 in the tables' fixed point

// round(sin(d degrees) * 2^14) for d = 0..90, computed once and written out.
constexpr int kSineTable[91] = {
    0,     286,   572,   857,   1143,  1428,  1713,  1997,  2280,  2563,  2845,  3126,  3406,  3686,
    3964,  4240,  4516,  4790,  5063,  5334,  5604,  5872,  6138,  6402,  6664,  6924,  7182,  7438,
    7692,  7943,  8192,  8438,  8682,  8923,  9162,  9397,  9630,  9860,  10087, 10311, 10531, 10749,
    10963, 11174, 11381, 11585, 11786, 11982, 12176, 12365, 12551, 12733, 12911, 13085, 13255, 13421,
    13583, 13741, 13894, 14044, 14189, 14330, 14466, 14598, 14726, 14849, 14968, 15082, 15191, 15296,
    15396, 15491, 15582, 15668, 15749, 15826, 15897, 15964, 16026, 16083, 16135, 16182, 16225, 16262,
    16294, 16322, 16344, 16362, 16374, 16382, 16384,
};

// x / 2^bits rounded half up, for negative x too (floor division, not truncation).
int64_t roundShift(int64_t x, int bits)
{
    const int64_t half = int64_t(1) << (bits - 1);
    const int64_t d = int64_t(1) << bits;
    const int64_t v = x + half;
    return v >= 0 ? v / d : -((-v + d - 1) / d);
}

// Points in units of the radius (kOne = one radius), y pointing down.
std::vector<FixedPoint> polar(int count, int startDegrees, const std::vector<int>& radii)
{
    std::vector<FixedPoint> p;
    for (int i = 0; i < count; ++i) {
        const int deg = startDegrees + i * 360 / count;
        const int r = radii[static_cast<size_t>(i) % radii.size()];
        p.push_back({static_cast<int>(roundShift(int64_t(r) * fixedCos(deg), 14)),
                     static_cast<int>(roundShift(int64_t(r) * fixedSin(deg), 14))});
    }
    return p;
}

// The classic heart curve x = 16 sin^3 t, y = -(13 cos t - 5 cos 2t - 2 cos 3t
// - cos 4t), centred on its bounding box and scaled to 1.2 radii half-width.
std::vector<FixedPoint> heart()
{
    std::vector<FixedPoint> p;
    for (int t = 0; t < 360; t += 10) {
        const int64_t s = fixedSin(t);
        const int64_t x = roundShift(roundShift(s * s, 14) * s, 14) * 16;
        const int64_t y = -(13 * int64_t(fixedCos(t)) - 5 * fixedCos(2 * t) - 2 * fixedCos(3 * t) - fixedCos(4 * t));
        // Curve units are 1/16 of the half-width; 1.2 radii = kOne * 6 / 5.
        p.push_back({static_cast<int>(x * 6 / (16 * 5)), static_cast<int>(y * 6 / (16 * 5))});
    }
    int top = p[0].y, bottom = p[0].y;
    for (const FixedPoint& q : p) {
        top = std::min(top, q.y);
        bottom = std::max(bottom, q.y);
    }
    const int shift = (top + bottom) / 2;
    for (FixedPoint& q : p)
        q.y -= shift;
    return p;
}

std::vector<FixedPoint> unitOutline(Shape shape)
{
    switch (shape) {
    case Shape::Circle: return polar(72, 0, {kOne});
    case Shape::Square: return polar(4, 45, {kOne * 5 / 4});
    case Shape::Triangle: {
        // Pointing up, moved down so that its bounding box is centred.
        std::vector<FixedPoint> p = polar(3, -90, {kOne * 13 / 10});
        for (FixedPoint& q : p)
            q.y += kOne * 13 / 40;
        return p;
    }
    case Shape::Star: {
        std::vector<FixedPoint> p = polar(10, -90, {kOne * 13 / 10, kOne * 13 / 20});
        for (FixedPoint& q : p)
            q.y += kOne / 8;
        return p;
    }
    case Shape::Hexagon: return polar(6, 0, {kOne * 28 / 25});
    case Shape::Diamond: {
        const int h = kOne * 27 / 20, w = kOne * 19 / 20;
        return {{0, -h}, {w, 0}, {0, h}, {-w, 0}};
    }
    case Shape::Cross: {
        const int r = kOne * 6 / 5, w = r * 2 / 5;
        return {{-w, -r}, {w, -r}, {w, -w}, {r, -w}, {r, w},   {w, w},
                {w, r},   {-w, r}, {-w, w}, {-r, w}, {-r, -w}, {-w, -w}};
    }
    case Shape::Heart: return heart();
    }
    return {};
}

}  // namespace

int fixedSin(int degrees)
{
    int d = ((degrees % 360) + 360) % 360;
    if (d <= 90)
        return kSineTable[d];
    if (d <= 180)
        return kSineTable[180 - d];
    if (d <= 270)
        return -kSineTable[d - 180];
    return -kSineTable[360 - d];
}

int fixedCos(int degrees)
{
    return fixedSin(degrees + 90);
}

std::vector<FixedPoint> shapeOutline(Shape shape, int centerX, int centerY, int radius, int rotationDegrees)
{
    const int64_t c = fixedCos(rotationDegrees), s = fixedSin(rotationDegrees);
    const int64_t scale = int64_t(radius) << kOutlineShift;
    std::vector<FixedPoint> out;
    for (const FixedPoint& q : unitOutline(shape)) {
        const int64_t x = roundShift(q.x * c - q.y * s, 14);
        const int64_t y = roundShift(q.x * s + q.y * c, 14);
        out.push_back({static_cast<int>((int64_t(centerX) << kOutlineShift) + roundShift(x * scale, 14)),
                       static_cast<int>((int64_t(centerY) << kOutlineShift) + roundShift(y * scale, 14))});
    }
    return out;
}

}  // namespace xbt

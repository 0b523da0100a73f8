#pragma once
// Shape outlines as polygons in fixed point. Vertex positions come from
// integer sine tables and integer arithmetic only, so the drawn pixels do not
// depend on how a machine evaluates sin/cos.

#include "core/sample/SceneDescription.h"

#include <vector>

namespace xbt {

// Polygon coordinates carry this many fractional bits (OpenCV's `shift`).
constexpr int kOutlineShift = 4;

struct FixedPoint {
    int x = 0;
    int y = 0;
};

// sin and cos of whole degrees, scaled by 2^14.
int fixedSin(int degrees);
int fixedCos(int degrees);

// The closed outline of `shape` around (centerX, centerY) in pixels, scaled so
// that the shapes of one radius cover similar areas, turned by `rotationDegrees`.
std::vector<FixedPoint> shapeOutline(Shape shape, int centerX, int centerY, int radius, int rotationDegrees);

}  // namespace xbt

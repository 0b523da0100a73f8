#pragma once
// The sample world's colours: clearly distinct object colours, and background
// tones (very light or very dark) chosen so that every object stays visible.

#include "core/sample/SceneDescription.h"

#include <cstdint>
#include <vector>

namespace xbt {

struct Rgb {
    uint8_t r = 0, g = 0, b = 0;
};

Rgb objectColour(Colour colour);
// Background base tones; the renderer also uses each tone's shaded variant.
const std::vector<Rgb>& backgroundTones();
// The base tone shifted 16 levels towards mid-grey (gradient ends, stripes).
Rgb shadedTone(int tone);
// True when `colour` is distinguishable on `tone` and on its shaded variant
// (luma differs by at least 45 of 255). Every colour has at least the dark tones.
bool contrastsWithBackground(Colour colour, int tone);

}  // namespace xbt

#include "core/sample/SamplePalette.h"

#include <cstdlib>

namespace xbt {

namespace {

constexpr int kShade = 16;
constexpr int kMinLumaDifference = 45;

// Rec. 601 luma times 1000, in integers.
int luma1000(const Rgb& c)
{
    return 299 * c.r + 587 * c.g + 114 * c.b;
}

bool isLight(const Rgb& c)
{
    return luma1000(c) > 128000;
}

}  // namespace

Rgb objectColour(Colour colour)
{
    // Saturated and far apart; blue, red, brown and purple are lifted so they
    // still read on the dark backgrounds.
    static const Rgb table[] = {
        {225, 40, 40},   // red
        {245, 140, 20},  // orange
        {240, 220, 30},  // yellow
        {40, 170, 60},   // green
        {30, 200, 210},  // cyan
        {50, 100, 240},  // blue
        {150, 60, 200},  // purple
        {245, 120, 190}, // pink
        {140, 85, 40},   // brown
        {128, 128, 128}, // gray
    };
    return table[static_cast<int>(colour)];
}

const std::vector<Rgb>& backgroundTones()
{
    static const std::vector<Rgb> tones = {
        {242, 236, 222},  // cream
        {226, 234, 246},  // pale blue
        {228, 242, 226},  // pale green
        {234, 234, 234},  // light grey
        {246, 230, 234},  // pale rose
        {16, 22, 44},     // navy
        {26, 26, 30},     // charcoal
        {14, 36, 24},     // forest
        {40, 18, 34},     // plum
    };
    return tones;
}

Rgb shadedTone(int tone)
{
    const Rgb base = backgroundTones()[static_cast<size_t>(tone)];
    const int shift = isLight(base) ? -kShade : kShade;
    return {static_cast<uint8_t>(base.r + shift), static_cast<uint8_t>(base.g + shift),
            static_cast<uint8_t>(base.b + shift)};
}

bool contrastsWithBackground(Colour colour, int tone)
{
    const int object = luma1000(objectColour(colour));
    const int base = luma1000(backgroundTones()[static_cast<size_t>(tone)]);
    const int shaded = luma1000(shadedTone(tone));
    const int minimum = kMinLumaDifference * 1000;
    return std::abs(object - base) >= minimum && std::abs(object - shaded) >= minimum;
}

}  // namespace xbt

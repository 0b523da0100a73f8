#pragma once
// One drawn scene of the sample world: its description (what the captions
// state) plus everything the renderer needs (placement, background), all in
// integers so that rendering is reproducible bit for bit.

#include "core/sample/SceneDescription.h"

#include <cstdint>
#include <string>
#include <vector>

namespace xbt {

enum class BackgroundStyle { Plain, Gradient, Stripes, Noise };

struct BackgroundSpec {
    BackgroundStyle style = BackgroundStyle::Plain;
    int tone = 0;           // index into backgroundTones()
    int direction = 0;      // 0 vertical, 1 horizontal, 2 and 3 diagonal
    int stripePeriod = 16;  // pixels
    uint64_t noiseSeed = 0;
};

struct PlacedObject {
    ObjectLook look;
    int centerX = 0;  // pixels in the 128 x 128 canvas
    int centerY = 0;
    int radius = 0;   // nominal radius; shapes are scaled to similar areas
    int rotationDegrees = 0;
};

struct SampleScene {
    int index = 0;  // position in the split; names the image file
    SceneDescription description;
    std::vector<PlacedObject> placed;  // in drawing order (later ones on top)
    BackgroundSpec background;
    uint64_t captionSeed = 0;  // shared by hard-case twins, so their captions use the same templates
    int twinIndex = -1;        // the hard-case twin in the same split, or -1

    // "000123.png"
    std::string fileName() const;
};

constexpr int kSampleImageSize = 128;

}  // namespace xbt

#pragma once
// Draws a sample-world scene (128 x 128). Only integer drawing operations are
// used, so a scene's pixels are the same on every machine.

#include "core/sample/SampleScene.h"

#include <cstdint>
#include <string>
#include <vector>

namespace xbt {

// Row-major RGB, kSampleImageSize^2 * 3 bytes.
std::vector<uint8_t> renderSceneRgb(const SampleScene& scene);
// The same image as PNG bytes, compressed lightly (level 1) for speed.
std::string renderScenePng(const SampleScene& scene);

}  // namespace xbt

#pragma once
// IEEE 754 half-precision conversion, for float16 embeddings in .npy files and
// gallery stores (round to nearest even when narrowing). The conversion is
// Imath's (OpenEXR's half type), used header-only: no library is linked.

#include <cstdint>

namespace xbt {

float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);

}  // namespace xbt

#include "core/util/Half.h"

// Imath's inline conversions without the lookup table that lives in libImath,
// so that nothing is linked.
#define IMATH_HALF_NO_LOOKUP_TABLE
#include <Imath/half.h>

namespace xbt {

float halfToFloat(uint16_t h) { return imath_half_to_float(h); }

uint16_t floatToHalf(float f) { return imath_float_to_half(f); }

}  // namespace xbt

#include "core/image/PreprocessSettings.h"

#include <cstdio>

namespace xbt {

std::string PreprocessSettings::canonicalText() const
{
    char buf[256];
    std::snprintf(buf, sizeof buf, "res=%d;mean=%.8g,%.8g,%.8g;std=%.8g,%.8g,%.8g;exif=%d;fast=%d", inputResolution,
                  mean[0], mean[1], mean[2], std[0], std[1], std[2], applyExifOrientation ? 1 : 0,
                  fastDecode ? 1 : 0);
    return buf;
}

}  // namespace xbt

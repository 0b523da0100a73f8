#include "core/model/ModelOptions.h"

#include "core/util/Error.h"

#include <cmath>
#include <sstream>

namespace xbt {

namespace {

std::string tripleText(const std::array<float, 3>& v)
{
    std::ostringstream s;
    s << v[0] << "," << v[1] << "," << v[2];
    return s.str();
}

}  // namespace

void checkMean(const std::array<float, 3>& mean, const std::string& source)
{
    for (float m : mean)
        if (!std::isfinite(m))
            throw Error(source + " is " + tripleText(mean) +
                        ": every value must be a finite number (CLIP's mean is 0.4815,0.4578,0.4082)");
}

void checkStd(const std::array<float, 3>& std, const std::string& source)
{
    for (float s : std)
        if (!std::isfinite(s) || !(s > 0.0f))
            throw Error(source + " is " + tripleText(std) +
                        ": every value must be a finite number above 0, as pixels are divided by it (CLIP's std "
                        "is 0.2686,0.2613,0.2758)");
}

void checkInputResolution(int pixels, const std::string& source)
{
    if (pixels <= 0 || pixels > kMaxInputResolution)
        throw Error(source + " is " + std::to_string(pixels) + ": the input resolution must be between 1 and " +
                    std::to_string(kMaxInputResolution) + " pixels (CLIP models use 224 to 448)");
}

void validateModelOptions(const ModelOptions& o)
{
    if (o.inputResolution)
        checkInputResolution(*o.inputResolution, "--input-resolution");
    if (o.mean)
        checkMean(*o.mean, "--mean");
    if (o.std)
        checkStd(*o.std, "--std");
    if (o.maxPixels && *o.maxPixels <= 0)
        throw Error("--max-megapixels " + std::to_string(*o.maxPixels) +
                    ": must be a positive number of megapixels (there is no \"off\"; raise it for huge images)");
    if (o.contextLength && (*o.contextLength < 2 || *o.contextLength > 4096))
        throw Error("--context-length " + std::to_string(*o.contextLength) +
                    ": must be between 2 (start and end tokens) and 4096");
    if (o.threads < 0 || o.batchSize < 0)
        throw Error("--threads and --batch-size must be positive");
}

}  // namespace xbt

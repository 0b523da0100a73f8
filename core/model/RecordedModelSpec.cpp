#include "core/model/RecordedModelSpec.h"

#include <filesystem>

namespace xbt {

std::string recordedModelSpec(const std::string& spec)
{
    std::error_code ec;
    if (!spec.empty() && std::filesystem::exists(spec, ec))
        return std::filesystem::absolute(spec, ec).lexically_normal().string();
    return spec;
}

}  // namespace xbt

#pragma once
// The model options every command that takes --model shares (a contract:
// --model, --merges, --device, --threads, --batch-size, plus the setting
// overrides that win over a sidecar).

#include "app/xbt/CliArgs.h"
#include "core/model/ModelOptions.h"

#include <vector>

namespace xbt::cli {

std::vector<OptionSpec> modelOptionSpecs(const std::string& modelFlag = "model");
ModelOptions modelOptionsFrom(const CliArgs& args);

// `base` followed by `extra`.
std::vector<OptionSpec> concatSpecs(std::vector<OptionSpec> base, const std::vector<OptionSpec>& extra);

}  // namespace xbt::cli

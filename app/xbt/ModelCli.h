#pragma once
// The model options every command that takes --model shares (a contract:
// --model, --merges, --device, --threads, --batch-size, plus the setting
// overrides that win over a sidecar).

#include "app/xbt/CliArgs.h"
#include "core/model/EmbeddingModel.h"
#include "core/model/ModelOptions.h"

#include <memory>

#include <vector>

namespace xbt::cli {

std::vector<OptionSpec> modelOptionSpecs(const std::string& modelFlag = "model");
// The same, for commands that take an old and a new model (--old M --new M).
std::vector<OptionSpec> oldNewModelOptionSpecs();
ModelOptions modelOptionsFrom(const CliArgs& args);

// The --adapter option's description, shared by the commands that take it.
OptionSpec adapterOptionSpec(const std::string& purpose);

// `base` followed by `extra`.
std::vector<OptionSpec> concatSpecs(std::vector<OptionSpec> base, const std::vector<OptionSpec>& extra);

}  // namespace xbt::cli

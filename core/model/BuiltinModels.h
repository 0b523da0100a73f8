#pragma once
// The models the workbench ships itself (the sample towers), addressed by
// name wherever a --model argument is accepted.

#include "core/model/EmbeddingModel.h"
#include "core/model/ModelOptions.h"

#include <memory>
#include <string>
#include <vector>

namespace xbt {

std::vector<std::string> builtinModelNames();
bool isBuiltinModelName(const std::string& name);
// Throws xbt::Error when `name` is not built in, or is but cannot be made in this build.
std::unique_ptr<EmbeddingModel> makeBuiltinModel(const std::string& name, const ModelOptions& options);

}  // namespace xbt

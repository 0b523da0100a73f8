#pragma once
// Resolves a --model argument: a TorchScript archive, a folder holding one
// archive, or a built-in model name.

#include "core/model/EmbeddingModel.h"
#include "core/model/ModelOptions.h"

#include <memory>
#include <string>

namespace xbt {

std::unique_ptr<EmbeddingModel> loadModel(const std::string& spec, const ModelOptions& options);

}  // namespace xbt

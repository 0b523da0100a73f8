#pragma once
// How a --model argument is written into a gallery's settings (where search
// takes its default model from), by the CLI and the workbench alike.

#include <string>

namespace xbt {

// A path made absolute, so that it resolves from any working directory; a
// built-in name as it is.
std::string recordedModelSpec(const std::string& spec);

}  // namespace xbt

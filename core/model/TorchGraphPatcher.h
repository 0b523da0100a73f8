#pragma once
// Makes TorchScript graphs traced on a GPU in half precision (OpenAI's released
// CLIP archives) run on another device in float32, as openai/CLIP's clip.py
// load(jit=True) does on the CPU. Torch-free header: the module is only
// forward-declared.

#include <string>

namespace torch::jit {
struct Module;
}

namespace xbt {

// Rewrites every function of the module's compilation unit (all methods of
// all submodules, nested blocks included): Device constants become `device`,
// ScalarType arguments equal to Half become Float, and tensor constants are
// moved to `device` in float32. Must run before the module's first call.
void patchGraphsForDevice(torch::jit::Module& module, const std::string& device);

}  // namespace xbt

#pragma once
// Conversions between the engine's torch-free types and torch tensors, shared
// by every torch-backed model and trainer.

#include "core/image/PreprocessSettings.h"
#include "core/util/Matrix.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace xbt {

// [N, C, H, W] float32 on `device`; all images must share one size.
torch::Tensor stackPixels(const std::vector<PixelTensor>& images, const torch::Device& device);
// A 2-D tensor (any float dtype, any device) as a float32 CPU Matrix.
Matrix toMatrix(const torch::Tensor& t);
// A Matrix as a [rows, cols] float32 tensor on `device`.
torch::Tensor fromMatrix(const Matrix& m, const torch::Device& device);
// "auto" -> CUDA when available, else CPU; "cuda[:N]" must exist. Errors say
// what to pass instead.
torch::Device resolveDevice(const std::string& request);
// Feeds names, shapes and float32 bytes of the module's parameters and buffers
// to a SHA-256 and returns the hex digest (plus `extra`, e.g. settings).
std::string hashModuleWeights(const torch::nn::Module& module, const std::string& extra);

}  // namespace xbt

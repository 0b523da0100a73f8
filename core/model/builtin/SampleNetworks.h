#pragma once
// The built-in sample models' networks (LibTorch C++ modules). Includes torch:
// include this only from .cpp files under model/builtin/ and train/.

#include "core/model/builtin/SampleModelConfig.h"

#include <torch/torch.h>

namespace xbt {

// conv -> GroupNorm -> conv -> GroupNorm, added to the input, GELU.
struct ResidualBlockImpl : torch::nn::Module {
    explicit ResidualBlockImpl(int channels);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
    torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
};
TORCH_MODULE(ResidualBlock);

struct ImageTowerImpl : torch::nn::Module {
    ImageTowerImpl(const SampleImageTowerConfig& config, int embeddingDim);
    // [N, 3, R, R] normalised pixels -> [N, D] (not normalised)
    torch::Tensor forward(const torch::Tensor& pixels);
    torch::nn::Sequential stages{nullptr};
    torch::nn::Linear head{nullptr};
    bool spatial = true;
};
TORCH_MODULE(ImageTower);

struct TextTowerImpl : torch::nn::Module {
    TextTowerImpl(const SampleTextTowerConfig& config, int64_t vocabularySize, int embeddingDim);
    // [N, L] ids (start, words, end, padding) -> [N, D] (not normalised)
    torch::Tensor forward(const torch::Tensor& ids);
    bool bagOfWords = false;
    torch::nn::Embedding embedding{nullptr};
    torch::Tensor positional;
    torch::nn::ModuleList layers{nullptr};
    torch::nn::LayerNorm finalNorm{nullptr};
    torch::nn::Linear hidden{nullptr};
    torch::nn::Linear head{nullptr};
};
TORCH_MODULE(TextTower);

struct SampleDualEncoderImpl : torch::nn::Module {
    SampleDualEncoderImpl(const SampleModelConfig& config, int64_t vocabularySize);
    torch::Tensor encodeImages(const torch::Tensor& pixels);  // L2-normalised
    torch::Tensor encodeTexts(const torch::Tensor& ids);      // L2-normalised
    ImageTower image{nullptr};
    TextTower text{nullptr};
    torch::Tensor logitScale;  // log(1 / temperature), learned
};
TORCH_MODULE(SampleDualEncoder);

}  // namespace xbt

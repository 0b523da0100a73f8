#pragma once
// The built-in sample models' networks (LibTorch C++ modules), shared by the
// built-in model (model/builtin/) and the trainers (train/, adapt/training/).

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

// CLIP's text block: x + attn(ln1(x)), then x + mlp(ln2(x)). Normalising
// before each sublayer keeps the position vectors visible in the residual
// stream, where a post-norm layer rescales them together with the words.
struct PreNormBlockImpl : torch::nn::Module {
    PreNormBlockImpl(int width, int heads);
    // x: [L, N, W]; padMask: [N, L] true at padding; attnMask: [L, L] or undefined
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& padMask, const torch::Tensor& attnMask);
    torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
    torch::nn::MultiheadAttention attention{nullptr};
    torch::nn::Linear fc{nullptr}, proj{nullptr};
};
TORCH_MODULE(PreNormBlock);

struct TextTowerImpl : torch::nn::Module {
    TextTowerImpl(const SampleTextTowerConfig& config, int64_t vocabularySize, int embeddingDim);
    // [N, L] ids (start, words, end, padding) -> [N, D] (not normalised)
    torch::Tensor forward(const torch::Tensor& ids);
    // The tower itself, without the word-mean path; `words` = embedding(ids).
    torch::Tensor encodeSequence(const torch::Tensor& ids, const torch::Tensor& words, const torch::Tensor& notPad);
    bool bagOfWords = false;
    bool recurrent = false;
    bool preNorm = false;
    bool meanPooling = false;
    bool causal = false;
    torch::nn::Embedding embedding{nullptr};
    torch::Tensor positional;
    torch::nn::ModuleList layers{nullptr};
    torch::nn::GRU gru{nullptr};
    torch::nn::LayerNorm finalNorm{nullptr};
    torch::nn::Linear hidden{nullptr};
    torch::nn::Linear head{nullptr};
    torch::nn::Linear wordMeanHead{nullptr};  // only with text.word_mean_path
};
TORCH_MODULE(TextTower);

// An orthogonal linear map (METHODS.md, "Orthogonal layers"): W = base *
// matrix_exp(A - A^T), with `base` from the QR decomposition of a random
// initial weight (a buffer) and A learned from zero. Orthogonal by
// construction at every step, so it rotates embeddings without changing any
// inner product among them.
struct OrthogonalLinearImpl : torch::nn::Module {
    OrthogonalLinearImpl(int64_t dims, uint64_t seed);
    torch::Tensor weight() const;                 // [dims, dims], W^T W = I
    torch::Tensor forward(const torch::Tensor& x);  // x W^T
    torch::Tensor base;
    torch::Tensor skew;  // A
};
TORCH_MODULE(OrthogonalLinear);

struct SampleDualEncoderImpl : torch::nn::Module {
    SampleDualEncoderImpl(const SampleModelConfig& config, int64_t vocabularySize);
    torch::Tensor encodeImages(const torch::Tensor& pixels);  // L2-normalised
    torch::Tensor encodeTexts(const torch::Tensor& ids);      // L2-normalised
    ImageTower image{nullptr};
    TextTower text{nullptr};
    torch::Tensor logitScale;  // log(1 / temperature), learned
    // BT^2's learnable basis transformation, applied to both towers' unit
    // vectors (so new-to-new similarities are unchanged by it); null otherwise.
    OrthogonalLinear basis{nullptr};
};
TORCH_MODULE(SampleDualEncoder);

}  // namespace xbt

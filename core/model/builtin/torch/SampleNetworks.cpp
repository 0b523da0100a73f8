#include "core/model/builtin/torch/SampleNetworks.h"

#include "core/text/WordTokenizer.h"

#include <algorithm>
#include <cmath>

namespace xbt {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

namespace {

nn::Conv2d conv3x3(int in, int out, int stride)
{
    return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
}

int groupsFor(int channels) { return channels % 8 == 0 ? 8 : 1; }

// [N, L, W] -> [N, W]: the mean over the positions that are not padding.
torch::Tensor meanOverWords(const torch::Tensor& x, const torch::Tensor& notPad)
{
    const auto mask = notPad.unsqueeze(-1).to(x.dtype());
    return (x * mask).sum(1) / mask.sum(1).clamp_min(1.0);
}

}  // namespace

ResidualBlockImpl::ResidualBlockImpl(int channels)
{
    conv1 = register_module("conv1", conv3x3(channels, channels, 1));
    norm1 = register_module("norm1", nn::GroupNorm(groupsFor(channels), channels));
    conv2 = register_module("conv2", conv3x3(channels, channels, 1));
    norm2 = register_module("norm2", nn::GroupNorm(groupsFor(channels), channels));
}

torch::Tensor ResidualBlockImpl::forward(const torch::Tensor& x)
{
    auto y = F::gelu(norm1(conv1(x)));
    return F::gelu(x + norm2(conv2(y)));
}

ImageTowerImpl::ImageTowerImpl(const SampleImageTowerConfig& config, int embeddingDim)
    : spatial(config.tower == "cnn-spatial")
{
    stages = nn::Sequential();
    int in = 3;
    int size = config.resolution;
    for (int ch : config.channels) {
        stages->push_back(conv3x3(in, ch, 2));
        stages->push_back(nn::GroupNorm(groupsFor(ch), ch));
        stages->push_back(nn::Functional([](const torch::Tensor& t) { return torch::gelu(t); }));
        for (int b = 0; b < config.blocksPerStage; ++b)
            stages->push_back(ResidualBlock(ch));
        in = ch;
        size = (size + 1) / 2;
    }
    register_module("stages", stages);
    const int features = spatial ? in * size * size : in;
    head = register_module("head", nn::Linear(features, embeddingDim));
}

torch::Tensor ImageTowerImpl::forward(const torch::Tensor& pixels)
{
    auto x = stages->forward(pixels);
    x = spatial ? x.flatten(1) : x.mean({2, 3});
    return head(x);
}

PreNormBlockImpl::PreNormBlockImpl(int width, int heads)
{
    norm1 = register_module("norm1", nn::LayerNorm(nn::LayerNormOptions({width})));
    attention = register_module("attention", nn::MultiheadAttention(nn::MultiheadAttentionOptions(width, heads)));
    norm2 = register_module("norm2", nn::LayerNorm(nn::LayerNormOptions({width})));
    fc = register_module("fc", nn::Linear(width, 4 * width));
    proj = register_module("proj", nn::Linear(4 * width, width));
}

torch::Tensor PreNormBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& padMask,
                                        const torch::Tensor& attnMask)
{
    const auto h = norm1(x);
    auto y = x + std::get<0>(attention(h, h, h, padMask, /*need_weights=*/false, attnMask));
    return y + proj(torch::gelu(fc(norm2(y))));
}

TextTowerImpl::TextTowerImpl(const SampleTextTowerConfig& config, int64_t vocabularySize, int embeddingDim)
    : bagOfWords(config.tower == "bag-of-words"), recurrent(config.tower == "gru"), preNorm(config.block == "pre-norm"),
      meanPooling(config.pooling == "mean"), causal(config.causal)
{
    embedding = register_module(
        "embedding", nn::Embedding(nn::EmbeddingOptions(vocabularySize, config.width).padding_idx(WordTokenizer::kPad)));
    if (bagOfWords) {
        hidden = register_module("hidden", nn::Linear(config.width, config.width));
    } else if (recurrent) {
        // Each direction's final state has read the words in order: word
        // order is in the structure, not something training must discover.
        gru = register_module("gru", nn::GRU(nn::GRUOptions(config.width, config.width / 2)
                                                 .num_layers(std::max(1, config.layers))
                                                 .bidirectional(true)
                                                 .batch_first(true)));
        finalNorm = register_module("final_norm", nn::LayerNorm(nn::LayerNormOptions({config.width})));
    } else {
        positional = register_parameter("positional",
                                        torch::randn({config.contextLength, config.width}) * config.positionalInit);
        layers = register_module("layers", nn::ModuleList());
        for (int i = 0; i < config.layers; ++i) {
            if (preNorm)
                layers->push_back(PreNormBlock(config.width, config.heads));
            else
                layers->push_back(nn::TransformerEncoderLayer(nn::TransformerEncoderLayerOptions(config.width, config.heads)
                                                                  .dim_feedforward(4 * config.width)
                                                                  .dropout(0.0)
                                                                  .activation(torch::kGELU)));
        }
        finalNorm = register_module("final_norm", nn::LayerNorm(nn::LayerNormOptions({config.width})));
    }
    head = register_module("head", nn::Linear(config.width, embeddingDim));
    if (config.wordMeanPath && !bagOfWords)
        wordMeanHead = register_module("word_mean_head", nn::Linear(config.width, embeddingDim));
}

torch::Tensor TextTowerImpl::forward(const torch::Tensor& ids)
{
    const auto notPad = ids.ne(WordTokenizer::kPad);
    const auto words = embedding(ids);  // [N, L, W]
    const torch::Tensor sequence = encodeSequence(ids, words, notPad);
    if (!wordMeanHead)
        return sequence;
    return sequence + wordMeanHead(meanOverWords(words, notPad));
}

torch::Tensor TextTowerImpl::encodeSequence(const torch::Tensor& ids, const torch::Tensor& words,
                                            const torch::Tensor& notPad)
{
    auto x = words;
    if (bagOfWords)  // Mean of the word vectors: the order of words is invisible by design.
        return head(F::gelu(hidden(meanOverWords(x, notPad))));
    if (recurrent) {
        // Packed by length, so padding never enters a state; h: [layers * 2, N, W / 2].
        const auto lengths = notPad.sum(1).to(torch::kCPU);
        const auto packed = nn::utils::rnn::pack_padded_sequence(x, lengths, /*batch_first=*/true,
                                                                 /*enforce_sorted=*/false);
        const auto h = std::get<1>(gru->forward_with_packed_input(packed));
        const int64_t n = h.size(0);
        return head(finalNorm(torch::cat({h[n - 2], h[n - 1]}, 1)));
    }
    const int64_t L = ids.size(1);
    x = x + positional.slice(0, 0, L).unsqueeze(0);
    x = x.transpose(0, 1);  // [L, N, W]
    const auto padMask = notPad.logical_not();
    torch::Tensor attnMask;  // undefined: every token sees every token
    if (causal)  // true above the diagonal: a token does not see the words after it
        attnMask = torch::ones({L, L}, padMask.options()).triu(1);
    for (const auto& layer : *layers) {
        if (preNorm)
            x = layer->as<PreNormBlock>()->forward(x, padMask, attnMask);
        else
            x = layer->as<nn::TransformerEncoderLayer>()->forward(x, attnMask, padMask);
    }
    x = x.transpose(0, 1);  // [N, L, W]
    if (meanPooling) {
        x = meanOverWords(x, notPad);
    } else {
        // Read the features at the end token, as CLIP does.
        const auto endIndex = ids.eq(WordTokenizer::kEnd).to(torch::kLong).argmax(1);
        x = x.index({torch::arange(x.size(0), ids.options()), endIndex});
    }
    return head(finalNorm(x));
}

OrthogonalLinearImpl::OrthogonalLinearImpl(int64_t dims, uint64_t seed)
{
    // A fixed generator: the base (a buffer, saved with the weights) is the
    // same for a seed on every run.
    auto generator = at::detail::createCPUGenerator(seed);
    const auto initial = at::normal(0.0, 1.0, {dims, dims}, generator, torch::TensorOptions().dtype(torch::kDouble));
    base = register_buffer("base", std::get<0>(torch::linalg_qr(initial)).to(torch::kFloat));
    skew = register_parameter("skew", torch::zeros({dims, dims}));
}

torch::Tensor OrthogonalLinearImpl::weight() const
{
    // In double: the exponential of a skew-symmetric matrix is orthogonal up
    // to rounding, which float32 would make ~1e-6 per step.
    const auto a = skew.to(torch::kDouble);
    return base.to(torch::kDouble).mm(torch::matrix_exp(a - a.t())).to(skew.scalar_type());
}

torch::Tensor OrthogonalLinearImpl::forward(const torch::Tensor& x) { return x.mm(weight().t()); }

SampleDualEncoderImpl::SampleDualEncoderImpl(const SampleModelConfig& config, int64_t vocabularySize)
{
    image = register_module("image", ImageTower(config.image, config.embeddingDim));
    text = register_module("text", TextTower(config.text, vocabularySize, config.embeddingDim));
    logitScale = register_parameter(
        "logit_scale", torch::full({1}, std::log(1.0 / config.training.initialTemperature)));
    if (config.compatibility.method == "bt2")
        basis = register_module("basis", OrthogonalLinear(config.embeddingDim,
                                                         static_cast<uint64_t>(config.training.seed) + 17));
}

torch::Tensor SampleDualEncoderImpl::encodeImages(const torch::Tensor& pixels)
{
    auto z = F::normalize(image(pixels), F::NormalizeFuncOptions().dim(1));
    return basis ? F::normalize(basis(z), F::NormalizeFuncOptions().dim(1)) : z;
}

torch::Tensor SampleDualEncoderImpl::encodeTexts(const torch::Tensor& ids)
{
    auto z = F::normalize(text(ids), F::NormalizeFuncOptions().dim(1));
    return basis ? F::normalize(basis(z), F::NormalizeFuncOptions().dim(1)) : z;
}

}  // namespace xbt

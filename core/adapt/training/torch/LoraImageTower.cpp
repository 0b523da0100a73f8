#include "core/adapt/training/torch/LoraImageTower.h"

#include "core/adapt/training/torch/OptimizationLoop.h"
#include "core/image/ClipImagePreprocessor.h"
#include "core/model/torch/TorchTensors.h"
#include "core/model/builtin/BuiltinSampleModel.h"
#include "core/model/builtin/torch/SampleNetworks.h"
#include "core/text/WordTokenizer.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>

namespace xbt {

namespace fs = std::filesystem;
namespace F = torch::nn::functional;

namespace {

// One adapted layer: the layer's weight member is replaced, before every
// forward, by base + scale * B A (the registered parameter stays the base).
struct LoraLayer {
    std::string name;       // as in weights.pt
    torch::Tensor* weight;  // the layer's member that its forward() reads
    torch::Tensor base;
    torch::Tensor a, b;     // [r, fan_in], [out, r]
    std::vector<int64_t> shape;
};

std::string parameterKey(const std::string& name)
{
    std::string key = name;
    for (char& c : key)
        if (c == '.')
            c = '_';
    return key;
}

}  // namespace

struct LoraImageTower::Impl {
    SampleDualEncoder network{nullptr};
    std::vector<LoraLayer> layers;
    double scale = 1.0;
};

bool LoraImageTower::supports(const EmbeddingModel& model)
{
    return model.info().kind == "builtin" && BuiltinSampleModel::isModelFolder(model.info().source);
}

LoraImageTower::LoraImageTower(const EmbeddingModel& model, int64_t rank, double alpha, uint64_t seed,
                               const torch::Device& device)
    : impl_(std::make_unique<Impl>()), parameters_(std::make_shared<torch::nn::Module>("LoRA"))
{
    const ModelInfo& info = model.info();
    if (!supports(model))
        throw Error("LoRA needs a built-in model folder; " + info.name + " (" + info.source +
                    ") is not one: use image_adapter \"feature\" for TorchScript models");
    // The network as BuiltinSampleModel builds it, as our own trainable copy.
    const fs::path dir(info.source);
    const SampleModelConfig config = SampleModelConfig::fromFile((dir / BuiltinSampleModel::kConfigFile).string());
    std::vector<std::string> words;
    for (std::string& w : readTextLines((dir / BuiltinSampleModel::kVocabularyFile).string()))
        if (!w.empty())
            words.push_back(std::move(w));
    const WordTokenizer tokenizer(words);
    impl_->network = SampleDualEncoder(config, tokenizer.vocabularySize());
    const std::string weights = (dir / BuiltinSampleModel::kWeightsFile).string();
    requireRegularFile(weights);
    try {
        torch::load(impl_->network, weights);
    } catch (const c10::Error& e) {
        throw Error(weights + ": cannot load these weights for LoRA (" + e.what_without_backtrace() + ")");
    }
    const std::string fingerprint = hashModuleWeights(
        *impl_->network, config.architectureText() + info.preprocess.canonicalText() + tokenizer.fingerprint());
    if (fingerprint != info.fingerprint)
        throw Error(dir.string() + " changed since " + info.name + " was loaded (fingerprint " +
                    fingerprint.substr(0, 12) + " instead of " + info.fingerprint.substr(0, 12) +
                    "); load the model again and restart training");
    impl_->network->to(device);
    impl_->network->eval();
    for (auto& p : impl_->network->parameters())
        p.set_requires_grad(false);

    impl_->scale = alpha / static_cast<double>(rank);
    at::Generator gen = stepGenerator(seed, 13, 0);
    for (const auto& item : impl_->network->image->named_modules()) {
        torch::Tensor* weight = nullptr;
        if (auto* conv = item.value()->as<torch::nn::Conv2dImpl>())
            weight = &conv->weight;
        else if (auto* linear = item.value()->as<torch::nn::LinearImpl>())
            weight = &linear->weight;
        if (!weight)
            continue;
        LoraLayer layer;
        layer.name = "image." + item.key() + ".weight";
        layer.weight = weight;
        layer.base = *weight;
        layer.shape = weight->sizes().vec();
        const int64_t out = layer.shape[0];
        const int64_t fanIn = weight->numel() / out;
        const int64_t r = std::min<int64_t>(rank, std::min(out, fanIn));
        torch::Tensor a = torch::empty({r, fanIn});
        {
            torch::NoGradGuard noGrad;
            const double bound = 1.0 / std::sqrt(static_cast<double>(fanIn));
            a.uniform_(-bound, bound, gen);
        }
        layer.a = parameters_->register_parameter(parameterKey(layer.name) + "_a", a.to(device));
        layer.b = parameters_->register_parameter(parameterKey(layer.name) + "_b", torch::zeros({out, r}, device));
        impl_->layers.push_back(std::move(layer));
    }
}

LoraImageTower::~LoraImageTower()
{
    for (LoraLayer& layer : impl_->layers)
        *layer.weight = layer.base;
}

torch::Tensor LoraImageTower::forward(const torch::Tensor& pixels)
{
    for (LoraLayer& layer : impl_->layers)
        *layer.weight = layer.base + (torch::matmul(layer.b, layer.a) * impl_->scale).view(layer.shape);
    return F::normalize(impl_->network->image(pixels), F::NormalizeFuncOptions().dim(1));
}

std::map<std::string, Matrix> LoraImageTower::deltas() const
{
    torch::NoGradGuard noGrad;
    std::map<std::string, Matrix> out;
    for (const LoraLayer& layer : impl_->layers)
        out[layer.name] = toMatrix(torch::matmul(layer.b, layer.a) * impl_->scale);
    return out;
}

std::map<std::string, std::vector<int64_t>> LoraImageTower::shapes() const
{
    std::map<std::string, std::vector<int64_t>> out;
    for (const LoraLayer& layer : impl_->layers)
        out[layer.name] = layer.shape;
    return out;
}

torch::Tensor loadSplitPixels(const CaptionedSplit& split, const std::vector<size_t>& rows,
                              const PreprocessSettings& preprocess, const torch::Device& device,
                              const CancelToken& cancel)
{
    const ClipImagePreprocessor preprocessor(preprocess);
    std::vector<PixelTensor> pixels;
    pixels.reserve(rows.size());
    for (size_t i : rows) {
        cancel.throwIfCancelled();
        pixels.push_back(preprocessor.preprocessFile((fs::path(split.root) / split.images[i]).string()));
    }
    return stackPixels(pixels, device);
}

namespace {

class LoraImageSide : public XbtImageSide {
public:
    LoraImageSide(std::unique_ptr<LoraImageTower> tower, torch::Tensor train, torch::Tensor validation)
        : tower_(std::move(tower)), train_(std::move(train)), validation_(std::move(validation))
    {
    }

    std::string adaptation() const override { return "lora"; }
    std::shared_ptr<torch::nn::Module> trainable() override { return tower_->parameters(); }
    int64_t trainingImages() const override { return train_.size(0); }
    torch::Tensor embedTraining(const std::vector<int64_t>& rows) override
    {
        return tower_->forward(gatherRows(train_, rows));
    }
    Matrix embedValidation() override
    {
        torch::NoGradGuard noGrad;
        Matrix out;
        if (!validation_.defined())
            return out;
        constexpr int64_t kChunk = 128;
        for (int64_t b = 0; b < validation_.size(0); b += kChunk)
            out.appendRows(toMatrix(tower_->forward(validation_.slice(0, b, std::min(validation_.size(0), b + kChunk)))));
        return out;
    }
    void storeInto(CompatibilityAdapter& adapter) const override
    {
        adapter.setLoraDeltas(tower_->deltas(), tower_->shapes());
    }

private:
    std::unique_ptr<LoraImageTower> tower_;
    torch::Tensor train_;
    torch::Tensor validation_;
};

}  // namespace

std::unique_ptr<XbtImageSide> makeLoraImageSide(std::unique_ptr<LoraImageTower> tower, torch::Tensor trainPixels,
                                                torch::Tensor validationPixels)
{
    return std::make_unique<LoraImageSide>(std::move(tower), std::move(trainPixels), std::move(validationPixels));
}

}  // namespace xbt

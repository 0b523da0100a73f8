#include "core/model/builtin/BuiltinSampleModel.h"

#include "core/model/TorchRuntime.h"
#include "core/model/torch/TorchTensors.h"
#include "core/model/builtin/torch/SampleNetworks.h"
#include "core/text/WordTokenizer.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <filesystem>

namespace xbt {

namespace fs = std::filesystem;

struct BuiltinSampleModel::Impl {
    std::unique_ptr<WordTokenizer> tokenizer;
    SampleDualEncoder network{nullptr};
    torch::Device device{torch::kCPU};
};

PreprocessSettings samplePreprocessSettings(const SampleModelConfig& config)
{
    PreprocessSettings s;
    s.inputResolution = config.image.resolution;
    return s;
}

BuiltinSampleModel::BuiltinSampleModel() : impl_(std::make_unique<Impl>()) {}
BuiltinSampleModel::~BuiltinSampleModel() = default;

bool BuiltinSampleModel::isModelFolder(const std::string& folder)
{
    std::error_code ec;
    return fs::is_regular_file(fs::path(folder) / kConfigFile, ec);
}

std::unique_ptr<BuiltinSampleModel> BuiltinSampleModel::load(const std::string& folder, const ModelOptions& options)
{
    return load(folder, options, {});
}

namespace {

void addDeltas(torch::nn::Module& network, const WeightDeltas& deltas, const std::string& weightsFile)
{
    torch::NoGradGuard noGrad;
    auto parameters = network.named_parameters(true);
    for (const auto& [name, delta] : deltas) {
        torch::Tensor* p = parameters.find(name);
        if (!p)
            throw Error(weightsFile + " has no parameter '" + name +
                        "' to add a weight delta to; the delta was made for another architecture");
        if (p->sizes().vec() != delta.shape || static_cast<int64_t>(delta.values.size()) != p->numel())
            throw Error(weightsFile + ": parameter '" + name + "' has shape " + c10::str(p->sizes()) +
                        ", its weight delta does not fit it; the delta was made for another architecture");
        const auto d = torch::from_blob(const_cast<float*>(delta.values.data()), p->sizes(), torch::kFloat32);
        p->add_(d.to(p->device(), p->scalar_type()));
    }
}

}  // namespace

std::unique_ptr<BuiltinSampleModel> BuiltinSampleModel::load(const std::string& folder, const ModelOptions& options,
                                                             const WeightDeltas& deltas)
{
    const fs::path dir(folder);
    for (const char* file : {kConfigFile, kVocabularyFile, kWeightsFile})
        if (!fileExists((dir / file).string()))
            throw Error(folder + ": not a complete sample model folder (missing " + file +
                        "; a model trained with `xbt train-base` has sample-model.json, vocabulary.txt and weights.pt)");
    validateModelOptions(options);
    configureTorchThreads(options.threads);
    std::unique_ptr<BuiltinSampleModel> model(new BuiltinSampleModel());
    model->config_ = SampleModelConfig::fromFile((dir / kConfigFile).string());
    const SampleModelConfig& config = model->config_;
    Impl& impl = *model->impl_;
    std::vector<std::string> words;
    for (std::string& w : readTextLines((dir / kVocabularyFile).string()))
        if (!w.empty())
            words.push_back(std::move(w));
    impl.tokenizer = std::make_unique<WordTokenizer>(words);
    impl.device = resolveDevice(options.device);
    impl.network = SampleDualEncoder(config, impl.tokenizer->vocabularySize());
    requireRegularFile((dir / kWeightsFile).string());
    try {
        torch::load(impl.network, (dir / kWeightsFile).string());
    } catch (const c10::Error& e) {
        throw Error((dir / kWeightsFile).string() + ": cannot load these weights into the architecture of " +
                    (dir / kConfigFile).string() + " (" + e.what_without_backtrace() + ")");
    }
    addDeltas(*impl.network, deltas, (dir / kWeightsFile).string());
    impl.network->to(impl.device);
    impl.network->eval();

    ModelInfo& info = model->info_;
    info.name = options.name.value_or(config.name);
    info.kind = "builtin";
    info.source = fs::absolute(dir).lexically_normal().string();
    info.embeddingDim = config.embeddingDim;
    info.contextLength = config.text.contextLength;
    info.tokenizer = impl.tokenizer->kind();
    info.device = impl.device.str();
    info.preprocess = samplePreprocessSettings(config);
    // Flags may change how images are read, never the network's input size.
    if (options.mean)
        info.preprocess.mean = *options.mean;
    if (options.std)
        info.preprocess.std = *options.std;
    if (options.maxPixels)
        info.preprocess.maxPixels = static_cast<int64_t>(*options.maxPixels) * 1'000'000;
    info.preprocess.applyExifOrientation = options.applyExifOrientation;
    info.preprocess.fastDecode = options.fastDecode;
    if (const SampleCompatibilityConfig& cc = config.compatibility; cc.enabled() && !cc.oldFingerprint.empty()) {
        info.compatibleWith.fingerprint = cc.oldFingerprint;
        info.compatibleWith.name = cc.oldName;
        info.compatibleWith.dims = cc.oldDims;
        info.compatibleWith.firstDims = cc.method != "bct";
    }
    info.fingerprint = hashModuleWeights(*impl.network, config.architectureText() + info.preprocess.canonicalText() +
                                                           impl.tokenizer->fingerprint());
    return model;
}

Matrix BuiltinSampleModel::encodeImages(const std::vector<PixelTensor>& images)
{
    torch::InferenceMode guard;
    return toMatrix(impl_->network->encodeImages(stackPixels(images, impl_->device)));
}

Matrix BuiltinSampleModel::encodeTexts(const std::vector<std::string>& texts)
{
    torch::InferenceMode guard;
    const int L = config_.text.contextLength;
    std::vector<int64_t> ids = impl_->tokenizer->tokenizeBatch(texts, L);
    auto t = torch::from_blob(ids.data(), {static_cast<int64_t>(texts.size()), L}, torch::kLong).to(impl_->device);
    return toMatrix(impl_->network->encodeTexts(t));
}

const TextTokenizer& BuiltinSampleModel::tokenizer() const { return *impl_->tokenizer; }

void BuiltinSampleModel::saveFolder(const std::string& folder, const std::string& name) const
{
    std::error_code ec;
    createDirectories(folder);
    const fs::path dir(folder);
    SampleModelConfig config = config_;
    config.name = name;
    writeFileAtomic((dir / kConfigFile).string(), config.toJsonText());
    writeFileAtomic((dir / kVocabularyFile).string(),
                    readFileBytes((fs::path(info_.source) / kVocabularyFile).string()));
    // CPU weights, so that the folder loads on any machine.
    const bool onDevice = !impl_->device.is_cpu();
    if (onDevice)
        impl_->network->to(torch::kCPU);
    try {
        torch::save(impl_->network, (dir / kWeightsFile).string());
    } catch (const c10::Error& e) {
        if (onDevice)
            impl_->network->to(impl_->device);
        throw Error((dir / kWeightsFile).string() + ": cannot write the weights (" + e.what_without_backtrace() + ")");
    }
    if (onDevice)
        impl_->network->to(impl_->device);
}

}  // namespace xbt

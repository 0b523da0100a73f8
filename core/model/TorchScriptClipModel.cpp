#include "core/model/TorchScriptClipModel.h"

#include "core/model/ModelSidecar.h"
#include "core/model/TorchGraphPatcher.h"
#include "core/model/TorchRuntime.h"
#include "core/model/torch/TorchTensors.h"
#include "core/text/ClipTokenizer.h"
#include "core/text/MergesLocator.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/Sha256.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/script.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace xbt {

namespace {

const char* const kExportHint = "export it with torch.jit.save / scripts/export_open_clip.py (see docs/models.md)";

std::string trimmedLine(const std::string& text, size_t start, size_t end)
{
    const size_t first = text.find_first_not_of(" \t\n", start);
    if (first == std::string::npos || first >= end)
        return {};
    const size_t last = text.find_last_not_of(" \t\n", end - 1);
    return text.substr(first, last + 1 - first);
}

// LibTorch messages go on with backtraces, source excerpts and tracebacks:
// keep the line that says what went wrong. The interpreter (JITException)
// and the TorchScript compiler (ErrorReport) do not raise c10::Error.
std::string torchMessage(const std::exception& e)
{
    const auto* c10Error = dynamic_cast<const c10::Error*>(&e);
    const std::string what = c10Error ? c10Error->what_without_backtrace() : e.what();
    if (!c10Error && what.find("Traceback of TorchScript") != std::string::npos) {
        const size_t end = what.find_last_not_of(" \t\n");
        const size_t start = end == std::string::npos ? 0 : what.rfind('\n', end);
        return trimmedLine(what, start == std::string::npos ? 0 : start, what.size());
    }
    const size_t first = what.find_first_not_of(" \t\n");
    if (first == std::string::npos)
        return what;
    return trimmedLine(what, first, std::min(what.size(), what.find('\n', first)));
}

std::string shapeText(at::IntArrayRef sizes)
{
    std::string s = "[";
    for (size_t i = 0; i < sizes.size(); ++i)
        s += (i ? "," : "") + std::to_string(sizes[i]);
    return s + "]";
}

bool mentionsNewerPyTorch(const std::string& message)
{
    for (const char* sign : {"Unknown builtin op", "Unknown type name", "Unknown type constructor",
                             "maximum supported version", "Arguments for call are not valid"})
        if (message.find(sign) != std::string::npos)
            return true;
    return false;
}

torch::jit::Module loadArchive(const std::string& path)
{
    requireRegularFile(path);
    std::string why;
    if (!TorchScriptClipModel::isTorchScriptArchive(path, &why))
        throw Error(path + " is not a TorchScript archive (" + why + "); " + kExportHint);
    std::string message;
    try {
        return torch::jit::load(path, torch::kCPU);
    } catch (const std::exception& e) {
        message = torchMessage(e);
    }
    if (mentionsNewerPyTorch(message))
        throw Error(path + " was exported with a newer PyTorch than this build's LibTorch " + torchVersion() + " ("
                    + message + "); re-export it as docs/models.md describes (PyTorch <= "
                    + std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR)
                    + ", or trace without scaled_dot_product_attention)");
    throw Error("cannot load TorchScript archive " + path + ": " + message);
}

// OpenAI archives store these as 0-dim tensors, exported ones as ints.
std::optional<int> intAttribute(const torch::jit::Module& module, const char* name)
{
    if (!module.hasattr(name))
        return std::nullopt;
    const c10::IValue v = module.attr(name);
    if (v.isInt() && v.toInt() > 0)
        return static_cast<int>(v.toInt());
    if (v.isTensor() && v.toTensor().numel() == 1 && !v.toTensor().is_floating_point()) {
        const int64_t value = v.toTensor().item<int64_t>();
        if (value > 0)
            return static_cast<int>(value);
    }
    return std::nullopt;
}

void hashTensor(Sha256& h, const char* kind, const std::string& name, const at::Tensor& t)
{
    const at::Tensor f = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
    h.update(std::string(kind) + " " + name + " " + shapeText(f.sizes()) + "\n");
    h.update(f.data_ptr<float>(), static_cast<size_t>(f.numel()) * sizeof(float));
}

}  // namespace

struct TorchScriptClipModel::Impl {
    torch::jit::Module module;
    c10::Device device{torch::kCPU};
    ModelInfo info;
    int batchSize = 0;
    std::unique_ptr<ClipTokenizer> tokenizer;

    // Runs `method` on `input` in chunks of batchSize rows; returns float32,
    // L2-normalised rows.
    Matrix run(const char* method, const at::Tensor& input)
    {
        const int64_t n = input.size(0);
        const int64_t chunk = batchSize > 0 ? batchSize : std::max<int64_t>(n, 1);
        Matrix result;
        c10::InferenceMode guard;
        for (int64_t start = 0; start < n; start += chunk) {
            const at::Tensor part = input.slice(0, start, std::min(n, start + chunk)).to(device);
            c10::IValue out;
            try {
                out = module.get_method(method)({part});
            } catch (const std::exception& e) {
                throw Error(info.source + ": " + method + " failed on an input of shape " + shapeText(part.sizes())
                            + ": " + torchMessage(e));
            }
            if (!out.isTensor() || out.toTensor().dim() != 2 || out.toTensor().size(0) != part.size(0))
                throw Error(info.source + ": " + method + " must return one [N, D] tensor for an input of shape "
                            + shapeText(part.sizes()) + ", got "
                            + (out.isTensor() ? shapeText(out.toTensor().sizes()) : out.tagKind()));
            const at::Tensor f = out.toTensor().to(torch::kCPU, torch::kFloat).contiguous();
            Matrix m(f.size(0), f.size(1));
            std::memcpy(m.data.data(), f.data_ptr<float>(), m.data.size() * sizeof(float));
            normalizeRows(m);
            result.appendRows(m);
        }
        return result;
    }

    Matrix runTokens(const std::vector<int64_t>& ids, int64_t rows)
    {
        if (rows <= 0)
            return Matrix(0, info.embeddingDim);
        if (ids.empty() || ids.size() % static_cast<size_t>(rows) != 0)
            throw Error(info.source + ": " + std::to_string(ids.size()) + " token ids do not make "
                        + std::to_string(rows) + " equal rows");
        const at::Tensor t = torch::from_blob(const_cast<int64_t*>(ids.data()),
                                              {rows, static_cast<int64_t>(ids.size()) / rows}, torch::kLong);
        return run("encode_text", t);
    }

    std::string fingerprint() const
    {
        Sha256 h;
        h.update("xbt-torchscript-clip-v1\n");
        for (const auto& p : module.named_parameters(true))
            hashTensor(h, "param", p.name, p.value);
        for (const auto& b : module.named_buffers(true))
            hashTensor(h, "buffer", b.name, b.value);
        h.update("preprocess " + info.preprocess.canonicalText() + "\n");
        h.update("tokenizer " + tokenizer->kind() + " " + tokenizer->fingerprint() + "\n");
        h.update("context " + std::to_string(info.contextLength) + "\n");
        return h.hexDigest();
    }
};

TorchScriptClipModel::TorchScriptClipModel(const std::string& archivePath, const ModelOptions& options)
    : impl_(std::make_unique<Impl>())
{
    Impl& d = *impl_;
    configureTorchThreads(options.threads);
    const std::string device = resolveDevice(options.device).str();
    d.device = c10::Device(device);
    d.batchSize = options.batchSize;

    d.module = loadArchive(archivePath);
    for (const char* method : {"encode_image", "encode_text"})
        if (!d.module.find_method(method))
            throw Error(archivePath + " has no method '" + method
                        + "': a CLIP archive must export encode_image(float[N,3,H,W]) and "
                          "encode_text(int64[N,L]); "
                        + kExportHint);
    const ArchiveSettings archive{intAttribute(d.module, "input_resolution"), intAttribute(d.module, "context_length")};
    try {
        patchGraphsForDevice(d.module, device);
        d.module.to(d.device, torch::kFloat);
    } catch (const std::exception& e) {
        throw Error("cannot prepare " + archivePath + " for device " + device + ": " + torchMessage(e));
    }
    d.module.eval();

    const ModelSidecar sidecar = loadSidecarFor(archivePath);
    const ModelSettings settings =
        resolveModelSettings(options, sidecar, archive, std::filesystem::path(archivePath).stem().string());
    const std::string merges = locateClipMerges({options.merges, settings.sidecarMerges, parentDirectory(archivePath)});
    d.tokenizer = std::make_unique<ClipTokenizer>(merges);

    ModelInfo& info = d.info;
    info.name = settings.name;
    info.kind = "torchscript";
    info.source = archivePath;
    info.contextLength = settings.contextLength;
    info.tokenizer = d.tokenizer->kind();
    info.mergesPath = merges;
    info.device = device;
    info.preprocess = settings.preprocess;

    // One tiny pass of each tower: finds the embedding size, and turns a model
    // that cannot run here (wrong resolution, leftover GPU code) into an error
    // now rather than in the middle of indexing a gallery.
    const int res = info.preprocess.inputResolution;
    Matrix image;
    Matrix text;
    try {
        image = d.run("encode_image", torch::zeros({1, 3, res, res}));
        text = d.runTokens(d.tokenizer->tokenizeBatch({"a photo"}, info.contextLength), 1);
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + " (while probing with input_resolution " + std::to_string(res)
                    + " and context_length " + std::to_string(info.contextLength)
                    + "; if those are wrong, set them in the sidecar or with --input-resolution / --context-length)");
    }
    if (image.cols != text.cols)
        throw Error(archivePath + ": encode_image returns " + std::to_string(image.cols)
                    + "-dim embeddings but encode_text returns " + std::to_string(text.cols)
                    + "; both towers must map into the same space");
    info.embeddingDim = static_cast<int>(image.cols);
    if (settings.expectedEmbeddingDim && *settings.expectedEmbeddingDim != info.embeddingDim)
        throw Error(sidecar.path + ": key \"embedding_dim\" says " + std::to_string(*settings.expectedEmbeddingDim)
                    + ", but " + archivePath + " produces " + std::to_string(info.embeddingDim)
                    + "-dim embeddings");
    info.fingerprint = d.fingerprint();
}

TorchScriptClipModel::~TorchScriptClipModel() = default;

const ModelInfo& TorchScriptClipModel::info() const
{
    return impl_->info;
}

Matrix TorchScriptClipModel::encodeImages(const std::vector<PixelTensor>& images)
{
    const int res = impl_->info.preprocess.inputResolution;
    if (images.empty())
        return Matrix(0, impl_->info.embeddingDim);
    at::Tensor batch = torch::empty({static_cast<int64_t>(images.size()), 3, res, res}, torch::kFloat);
    const size_t pixels = static_cast<size_t>(3) * res * res;
    for (size_t i = 0; i < images.size(); ++i) {
        const PixelTensor& img = images[i];
        if (img.channels != 3 || img.height != res || img.width != res || img.data.size() != pixels)
            throw Error("image " + std::to_string(i) + " is " + std::to_string(img.channels) + "x"
                        + std::to_string(img.height) + "x" + std::to_string(img.width) + ", but " + impl_->info.name
                        + " takes 3x" + std::to_string(res) + "x" + std::to_string(res)
                        + " (preprocess with the model's settings)");
        std::memcpy(batch[static_cast<int64_t>(i)].data_ptr<float>(), img.data.data(), pixels * sizeof(float));
    }
    return impl_->run("encode_image", batch);
}

Matrix TorchScriptClipModel::encodeTexts(const std::vector<std::string>& texts)
{
    if (texts.empty())
        return Matrix(0, impl_->info.embeddingDim);
    return impl_->runTokens(impl_->tokenizer->tokenizeBatch(texts, impl_->info.contextLength),
                            static_cast<int64_t>(texts.size()));
}

Matrix TorchScriptClipModel::encodeTokens(const std::vector<int64_t>& ids, int64_t rows)
{
    return impl_->runTokens(ids, rows);
}

const TextTokenizer& TorchScriptClipModel::tokenizer() const
{
    return *impl_->tokenizer;
}

bool TorchScriptClipModel::isTorchScriptArchive(const std::string& path, std::string* why)
{
    const auto fail = [why](const std::string& reason) {
        if (why)
            *why = reason;
        return false;
    };
    std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader;
    try {
        reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
    } catch (const c10::Error&) {
        return fail("not a zip archive");
    }
    const std::vector<std::string> records = reader->getAllRecords();
    const bool hasCode = std::any_of(records.begin(), records.end(),
                                     [](const std::string& r) { return r.rfind("code/", 0) == 0; });
    if (!hasCode || !reader->hasRecord("constants.pkl"))
        return fail("a zip without TorchScript code, e.g. a torch.save() state_dict or pickled model");
    return true;
}

}  // namespace xbt

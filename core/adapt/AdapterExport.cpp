// exportAdapter (declared in AdapterStore.h): a standalone TorchScript file
// that any LibTorch or PyTorch program can load without xbt.
#include "core/adapt/AdapterStore.h"

#include "core/adapt/AdapterTensors.h"
#include "core/embed/SideInformation.h"
#include "core/model/ModelLoader.h"
#include "core/model/builtin/BuiltinSampleModel.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <torch/script.h>

#include <nlohmann/json.hpp>

#include <filesystem>

namespace xbt {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The module's attribute name for each adapter tensor ("projection.linear" -> "projection_linear").
std::string attributeName(const std::string& tensorName)
{
    std::string s = tensorName;
    for (char& c : s)
        if (c == '.')
            c = '_';
    return s;
}

// `def METHOD(self, z)`: normalize(A z + residual) with the tensors of `prefix` ("projection", "image_map").
std::string projectionSource(const std::string& method, const std::string& prefix, const ProjectionWeights& p)
{
    std::string src = "\ndef " + method + "(self, z: Tensor) -> Tensor:\n    y = torch.matmul(z, self." + prefix +
                      "_linear.t())\n";
    if (p.hasResidual())
        src += "    h = torch.gelu(torch.addmm(self." + prefix + "_hidden_bias, z, self." + prefix +
               "_hidden_weight.t()))\n    y = y + torch.addmm(self." + prefix + "_out_bias, h, self." + prefix +
               "_out_weight.t())\n";
    return src + "    return self._normalize(y)\n";
}

// TorchScript source of the module's methods. It spells the same tensor
// operations as ProjectionWeights::apply and FeatureAdapterWeights::apply,
// so that the exported file and the workbench agree to float rounding.
std::string torchScriptSource(const CompatibilityAdapter& adapter)
{
    std::string src = R"(
def _normalize(self, y: Tensor) -> Tensor:
    return y / (y * y).sum(1, True).sqrt().clamp_min(1e-12)
)";
    src += projectionSource("_project", "projection", adapter.projection());
    if (adapter.hasImageMap())
        src += projectionSource("_project_image", "image_map", adapter.imageMap());
    if (adapter.info().kind == AdapterKind::Gallery) {
        src += R"(
def transform_gallery(self, x: Tensor) -> Tensor:
    return self._project(x)

def forward(self, x: Tensor) -> Tensor:
    return self.transform_gallery(x)
)";
        return src;
    }
    src += R"(
def forward_text(self, z: Tensor) -> Tensor:
    return self._project(z)
)";
    // A LoRA adapter mixing in its image map takes the adapted tower's
    // embedding (z) and the new model's own (z_new); otherwise one embedding.
    const bool mixes = adapter.mixesImageMap();
    if (adapter.mixesImageMapWithTower())
        src += "\ndef forward_image(self, z: Tensor, z_new: Tensor) -> Tensor:\n    p = self._project_image(z_new)\n";
    else if (mixes)
        src += "\ndef forward_image(self, z: Tensor) -> Tensor:\n    p = self._project_image(z)\n";
    else
        src += "\ndef forward_image(self, z: Tensor) -> Tensor:\n";
    if (!adapter.featureAdapter().empty() && (mixes || !adapter.hasImageMap()))
        src += R"(    h = torch.gelu(torch.addmm(self.feature_down_bias, z, self.feature_down.t()))
    z = self._normalize(z + torch.addmm(self.feature_up_bias, h, self.feature_up.t()))
)";
    if (mixes) {
        const std::string share = json(adapter.info().imageMapShare).dump();
        src += "    return self._normalize((1.0 - " + share + ") * self._project(z) + " + share + " * p)\n";
    } else {
        src += adapter.hasImageMap() ? "    return self._project_image(z)\n" : "    return self._project(z)\n";
    }
    src += R"(
def forward(self, z: Tensor) -> Tensor:
    return self.forward_text(z)
)";
    return src;
}

torch::jit::Module buildModule(const CompatibilityAdapter& adapter)
{
    torch::jit::Module module("__torch__.xbt.CompatibilityAdapter", std::make_shared<torch::jit::CompilationUnit>(),
                              true);
    for (const auto& [name, tensor] : adapterTensors(adapter)) {
        if (name.rfind(kLoraTensorPrefix, 0) == 0)
            continue;  // LoRA deltas belong to the image tower, not to phi
        auto t = torch::from_blob(const_cast<float*>(tensor.values.data()), tensor.shape, torch::kFloat32).clone();
        module.register_parameter(attributeName(name), t, false);
    }
    const AdapterInfo& info = adapter.info();
    const auto text = [&](const std::string& key, const std::string& value) {
        module.register_attribute(key, c10::StringType::get(), value);
    };
    text("adapter_name", info.name);
    text("method", info.method);
    text("kind", adapterKindName(info.kind));
    text("old_model", info.oldModel.name);
    text("old_fingerprint", info.oldModel.fingerprint);
    text("new_model", info.newModel.name);
    text("new_fingerprint", info.newModel.fingerprint);
    module.define(torchScriptSource(adapter));
    module.eval();
    return module;
}

json methodDescriptions(const CompatibilityAdapter& adapter)
{
    const AdapterInfo& info = adapter.info();
    const std::string dNew = std::to_string(info.newModel.dims);
    const std::string dOld = std::to_string(info.oldModel.dims);
    if (info.kind == AdapterKind::Gallery && adapter.usesSideInformation()) {
        const std::string k = std::to_string(SideInformationSpec::kDims);
        return {{"transform_gallery",
                 "stored " + info.oldModel.name + " embeddings with side information appended [N, " +
                     std::to_string(info.oldModel.dims + SideInformationSpec::inputColumns()) + "]: columns 0.." +
                     std::to_string(info.oldModel.dims - 1) + " the embedding, the next " + k +
                     " an image's colour layout, the last " + k + " a caption's hashed words (zeros in the other "
                     "modality's block, and in any block the transform does not read: it reads " +
                     adapter.sideInformationUse().name() + "; docs/adapters.md) -> the space of " +
                     info.newModel.name + " [N, " + dNew + "], L2-normalised"},
                {"forward", "the same as transform_gallery"}};
    }
    if (info.kind == AdapterKind::Gallery)
        return {{"transform_gallery", "stored " + info.oldModel.name + " embeddings [N, " + dOld +
                                          "] -> the space of " + info.newModel.name + " [N, " + dNew +
                                          "], L2-normalised"},
                {"forward", "the same as transform_gallery"}};
    std::string image = info.newModel.name + " image embeddings [N, " + dNew + "] -> the space of " +
                        info.oldModel.name + " [N, " + dOld + "], L2-normalised";
    const std::string psi = "the adapter's own image map psi = H^T, H the least-squares map from " +
                            info.oldModel.name + "'s text embeddings of a corpus to " + info.newModel.name + "'s";
    const std::string share = json(info.imageMapShare).dump();
    if (!adapter.featureAdapter().empty() && (adapter.mixesImageMap() || !adapter.hasImageMap()))
        image += " (applies the feature adapter, then phi)";
    if (adapter.mixesImageMap())
        image += ", mixed with " + psi + ": normalize((1 - " + share + ") phi + " + share + " psi)";
    else if (adapter.hasImageMap())
        image += " (" + psi + "; not phi)";
    if (adapter.mixesImageMapWithTower())
        image = "forward_image(z, z_new): z the image embeddings [N, " + dNew + "] of the LoRA-adapted image tower "
                "(through phi), z_new those of " + info.newModel.name + " itself (through psi) -> the space of " +
                info.oldModel.name + " [N, " + dOld + "], L2-normalised: normalize((1 - " + share + ") phi(z) + " +
                share + " psi(z_new)), " + psi.substr(psi.find("psi = "));
    else if (!adapter.mapsImageEmbeddings())
        image += "; the image embeddings must come from the LoRA-adapted image tower, not from " + info.newModel.name;
    return {{"forward_text", info.newModel.name + " text embeddings [N, " + dNew + "] -> the space of " +
                                 info.oldModel.name + " [N, " + dOld + "], L2-normalised"},
            {"forward_image", image},
            {"forward", "the same as forward_text"}};
}

// A finished folder replaces `target` (one left by an earlier export).
void replaceFolder(const fs::path& finished, const fs::path& target)
{
    std::error_code ec;
    fs::remove_all(target, ec);
    fs::rename(finished, target, ec);
    if (ec)
        throw Error("cannot rename " + finished.string() + " to " + target.string() + " (" + ec.message() + ")");
}

}  // namespace

ExportResult exportAdapter(const CompatibilityAdapter& adapter, const std::string& outDir,
                           const AdapterExportOptions& options)
{
    const AdapterInfo& info = adapter.info();
    std::error_code ec;
    createDirectories(outDir);
    const fs::path dir(outDir);
    ExportResult result;
    result.torchscriptPath = (dir / (info.name + ".pt")).string();
    result.metadataPath = (dir / (info.name + ".json")).string();

    json imageTower = {{"included", adapter.mapsImageEmbeddings()}};
    if (!adapter.mapsImageEmbeddings()) {
        // The LoRA deltas change the new model's own weights: they cannot
        // be a function of its output embedding, so they ship as a model.
        const std::string spec = options.newModelSpec.empty() ? info.newModel.name : options.newModelSpec;
        ModelOptions modelOptions = options.modelOptions;
        modelOptions.device = "cpu";
        const std::unique_ptr<EmbeddingModel> newModel = loadModel(spec, modelOptions);
        adapter.checkNewModel(newModel->info());
        const std::unique_ptr<BuiltinSampleModel> tower = loadLoraImageTower(newModel->info(), adapter, modelOptions);
        const fs::path towerDir = dir / (info.name + "-image-tower");
        const fs::path writing = towerDir.string() + ".writing";
        fs::remove_all(writing, ec);
        tower->saveFolder(writing.string(), info.newModel.name + "+" + info.name);
        replaceFolder(writing, towerDir);
        result.adaptedTowerFolder = towerDir.string();
        result.note = result.torchscriptPath +
                      " does NOT contain the adapted image tower: this adapter (LoRA) changes " + info.newModel.name +
                      "'s own image weights. Embed images with the adapted model in " + result.adaptedTowerFolder +
                      " (load it with --model " + result.adaptedTowerFolder +
                      "), then map them with forward_image" +
                      (adapter.mixesImageMapWithTower()
                           ? "(z, z_new), z_new the same images embedded by " + info.newModel.name + " itself"
                           : std::string()) +
                      "; texts go through " + info.newModel.name + " unchanged and then forward_text.";
        imageTower["note"] = result.note;
        imageTower["adapted_model_folder"] = info.name + "-image-tower";
    } else if (info.kind == AdapterKind::Query) {
        result.note = result.torchscriptPath + " maps " + info.newModel.name + " embeddings into the space of " +
                      info.oldModel.name + ": forward_text for text embeddings, forward_image for image embeddings.";
    } else {
        result.note = result.torchscriptPath + " moves stored " + info.oldModel.name +
                      " embeddings into the space of " + info.newModel.name + " (transform_gallery).";
    }

    json interpolation = nullptr;
    if (info.kind == AdapterKind::Query && info.interpolation.active()) {
        // The module maps with phi alone; the deployed query also needs the
        // old model's embedding of the same query, which the user runs.
        const auto formula = [](const InterpolationSide& side) {
            const std::string a = json(side.weight).dump();
            if (side.weight >= 1.0)
                return std::string("q = phi (the module's output alone)");
            if (side.kind == InterpolationKind::Linear)
                return "q = normalize((1 - " + a + ") * o + " + a + " * p)";
            return "q = sin((1 - " + a + ") * t) / sin(t) * o + sin(" + a + " * t) / sin(t) * p, t = acos(o . p) "
                   "(o when o = p)";
        };
        interpolation = {{"old_model", {{"name", info.oldModel.name},
                                        {"fingerprint", info.oldModel.fingerprint},
                                        {"spec", info.oldModel.spec}}},
                         {"texts", formula(info.interpolation.texts)},
                         {"images", formula(info.interpolation.images)},
                         {"where", "o: the OLD model's unit embedding of the same query; p: the module's output "
                                   "(forward_text / forward_image) for the new model's embedding"}};
        result.note += " As deployed, each query is also embedded by the old model " + info.oldModel.name +
                       " and interpolated with it (" + info.interpolation.describe() +
                       "): see query_interpolation in " + info.name + ".json for the exact formula.";
    }
    const json metadata = {{"adapter", info.toJson()},
                           {"torchscript", info.name + ".pt"},
                           {"methods", methodDescriptions(adapter)},
                           {"image_tower", imageTower},
                           {"query_interpolation", interpolation},
                           {"weights_sha256", adapter.weightsFingerprint()},
                           {"note", result.note}};
    const std::string metadataText = metadata.dump(2) + "\n";
    const std::string writing = result.torchscriptPath + ".writing";
    try {
        torch::jit::Module module = buildModule(adapter);
        module.save(writing, {{"xbt_adapter.json", metadataText}});
    } catch (const c10::Error& e) {
        fs::remove(writing, ec);
        throw Error(result.torchscriptPath + ": cannot write the TorchScript adapter (" + e.what_without_backtrace() +
                    ")");
    }
    fs::rename(writing, result.torchscriptPath, ec);
    if (ec)
        throw Error(result.torchscriptPath + ": cannot write (" + ec.message() + ")");
    writeFileAtomic(result.metadataPath, metadataText);
    return result;
}

}  // namespace xbt

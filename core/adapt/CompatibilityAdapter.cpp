#include "core/adapt/CompatibilityAdapter.h"

#include "core/adapt/AdapterTensors.h"
#include "core/embed/SideInformation.h"
#include "core/model/torch/TorchTensors.h"
#include "core/util/Error.h"
#include "core/util/Sha256.h"

namespace xbt {

namespace {

// Read-only views for the duration of one computation (no copy).
torch::Tensor view(const Matrix& m)
{
    return torch::from_blob(const_cast<float*>(m.data.data()), {m.rows, m.cols}, torch::kFloat32);
}

torch::Tensor view(const std::vector<float>& v)
{
    return torch::from_blob(const_cast<float*>(v.data()), {static_cast<int64_t>(v.size())}, torch::kFloat32);
}

// The exported TorchScript module (AdapterExport.cpp) spells the same
// operations, so that both give the same numbers.
torch::Tensor normalized(const torch::Tensor& y) { return y / (y * y).sum(1, true).sqrt().clamp_min(1e-12); }

void checkMatrix(const Matrix& m, int64_t rows, int64_t cols, const std::string& what, const std::string& part)
{
    if (m.rows != rows || m.cols != cols || m.data.size() != static_cast<size_t>(rows * cols))
        throw Error(what + ": " + part + " is " + std::to_string(m.rows) + "x" + std::to_string(m.cols) +
                    (m.data.size() != static_cast<size_t>(m.rows * m.cols) ? " (with a wrong number of values)" : "") +
                    ", expected " + std::to_string(rows) + "x" + std::to_string(cols));
}

void checkVector(const std::vector<float>& v, int64_t size, const std::string& what, const std::string& part)
{
    if (static_cast<int64_t>(v.size()) != size)
        throw Error(what + ": " + part + " has " + std::to_string(v.size()) + " values, expected " +
                    std::to_string(size));
}

// An adapter maps images through an image map or through an image side, never both.
[[noreturn]] void refuseSecondImagePath(const std::string& adapterName, const std::string& second)
{
    throw Error("adapter '" + adapterName + "' cannot hold " + second + " beside its " +
                (second == "an image map" ? "image side (feature adapter or LoRA)" : "image map") +
                ": at image_map_share 1 images go through the image map alone, so an adapter holds only one");
}

std::string describe(const std::string& name, const std::string& fingerprint)
{
    return name + " (fingerprint " + fingerprintPrefix(fingerprint) + ")";
}

}  // namespace

void ProjectionWeights::validate(const std::string& what) const
{
    if (linear.rows <= 0 || linear.cols <= 0)
        throw Error(what + ": the linear map A is empty");
    checkMatrix(linear, linear.rows, linear.cols, what, "the linear map A");
    if (!hasResidual()) {
        if (!hiddenBias.empty() || outWeight.rows > 0 || !outBias.empty())
            throw Error(what + ": the residual MLP has output weights but no hidden layer");
        return;
    }
    const int64_t hidden = hiddenWeight.rows;
    checkMatrix(hiddenWeight, hidden, inputDim(), what, "the residual's hidden weight W1");
    checkVector(hiddenBias, hidden, what, "the residual's hidden bias b1");
    checkMatrix(outWeight, outputDim(), hidden, what, "the residual's output weight W2");
    checkVector(outBias, outputDim(), what, "the residual's output bias b2");
}

Matrix ProjectionWeights::apply(const Matrix& in) const
{
    if (in.rows == 0)
        return Matrix(0, outputDim());
    torch::InferenceMode guard;
    const torch::Tensor z = view(in);
    torch::Tensor y = torch::matmul(z, view(linear).t());
    if (hasResidual()) {
        const torch::Tensor h = torch::gelu(torch::addmm(view(hiddenBias), z, view(hiddenWeight).t()));
        y = y + torch::addmm(view(outBias), h, view(outWeight).t());
    }
    return toMatrix(normalized(y));
}

void FeatureAdapterWeights::validate(const std::string& what) const
{
    if (empty())
        return;
    const int64_t rank = down.rows;
    const int64_t dim = down.cols;
    checkMatrix(down, rank, dim, what, "the feature adapter's down weight V");
    checkVector(downBias, rank, what, "the feature adapter's down bias c");
    checkMatrix(up, dim, rank, what, "the feature adapter's up weight U");
    checkVector(upBias, dim, what, "the feature adapter's up bias d");
}

Matrix FeatureAdapterWeights::apply(const Matrix& in) const
{
    if (empty() || in.rows == 0)
        return in;
    torch::InferenceMode guard;
    const torch::Tensor z = view(in);
    const torch::Tensor h = torch::gelu(torch::addmm(view(downBias), z, view(down).t()));
    return toMatrix(normalized(z + torch::addmm(view(upBias), h, view(up).t())));
}

CompatibilityAdapter::CompatibilityAdapter(AdapterInfo info, ProjectionWeights projection)
    : info_(std::move(info)), projection_(std::move(projection))
{
    const std::string what = "adapter '" + info_.name + "'";
    projection_.validate(what);
    const bool query = info_.kind == AdapterKind::Query;
    const ModelRef& from = query ? info_.newModel : info_.oldModel;
    const ModelRef& to = query ? info_.oldModel : info_.newModel;
    const bool sideInformation = usesSideInformation();
    if (sideInformation && query)
        throw Error(what + " is a query adapter but records side information, which only gallery transforms use");
    const int64_t side = sideInformation ? SideInformationSpec::inputColumns() : 0;
    if ((from.dims > 0 && projection_.inputDim() != from.dims + side) || (to.dims > 0 && projection_.outputDim() != to.dims))
        throw Error(what + " maps " + std::to_string(projection_.inputDim()) + " -> " +
                    std::to_string(projection_.outputDim()) + " dimensions, but " + from.name + " has " +
                    std::to_string(from.dims) + (side ? " (plus " + std::to_string(side) + " of side information)" : "") +
                    " and " + to.name + " has " + std::to_string(to.dims));
}

CompatibilityAdapter::~CompatibilityAdapter() = default;

bool CompatibilityAdapter::usesSideInformation() const
{
    return SideInformationSpec::recorded(info_.data.value("side_information", nlohmann::json()),
                                         "adapter '" + info_.name + "'");
}

SideInformationUse CompatibilityAdapter::sideInformationUse() const
{
    return SideInformationSpec::recordedUse(info_.data.value("side_information", nlohmann::json()),
                                            "adapter '" + info_.name + "'");
}

namespace {

void checkInput(const AdapterInfo& info, const Matrix& m, int64_t dim, const std::string& what)
{
    if (m.cols != dim && m.rows > 0)
        throw Error("adapter '" + info.name + "' takes " + std::to_string(dim) + "-dimensional " + what + ", got " +
                    std::to_string(m.cols) + " columns");
}

void requireKind(const AdapterInfo& info, AdapterKind kind, const std::string& action)
{
    if (info.kind != kind)
        throw Error("adapter '" + info.name + "' is a " + adapterKindName(info.kind) + " adapter (" + info.method +
                    "): it cannot " + action);
}

}  // namespace

Matrix CompatibilityAdapter::mapTexts(const Matrix& newTexts) const
{
    requireKind(info_, AdapterKind::Query, "map new-model queries into the old space");
    checkInput(info_, newTexts, projection_.inputDim(), "text embeddings of " + info_.newModel.name);
    return projection_.apply(newTexts);
}

Matrix CompatibilityAdapter::mapImages(const Matrix& newImages) const
{
    requireKind(info_, AdapterKind::Query, "map new-model queries into the old space");
    checkInput(info_, newImages, projection_.inputDim(), "image embeddings of " + info_.newModel.name);
    if (mixesImageMapWithTower())
        throw Error("adapter '" + info_.name + "' mixes its image map with a LoRA-adapted image tower: an image "
                    "query needs the new model's embedding and the adapted tower's (mapImagesWithTower; internal "
                    "error)");
    return mapImagePaths(newImages, newImages);
}

Matrix CompatibilityAdapter::mapImagesWithTower(const Matrix& newImages, const Matrix& towerImages) const
{
    requireKind(info_, AdapterKind::Query, "map new-model queries into the old space");
    checkInput(info_, newImages, projection_.inputDim(), "image embeddings of " + info_.newModel.name);
    checkInput(info_, towerImages, projection_.inputDim(),
               "image embeddings of " + info_.newModel.name + "'s adapted image tower");
    if (newImages.rows != towerImages.rows)
        throw Error("adapter '" + info_.name + "': " + std::to_string(newImages.rows) + " new-model image embeddings "
                    "but " + std::to_string(towerImages.rows) + " from the adapted tower; they must be the same images");
    return mapImagePaths(newImages, towerImages);
}

Matrix CompatibilityAdapter::mapImagePaths(const Matrix& newImages, const Matrix& sideInput) const
{
    if (!hasImageMap())
        return projection_.apply(featureAdapter_.apply(sideInput));
    Matrix psi = imageMap_.apply(newImages);
    if (!mixesImageMap())
        return psi;
    // normalize((1 - s) phi + s psi): the linear interpolation of unit rows.
    return interpolateRows(projection_.apply(featureAdapter_.apply(sideInput)), psi, info_.imageMapShare,
                           InterpolationKind::Linear);
}

Matrix CompatibilityAdapter::transformGallery(const Matrix& oldEmbeddings) const
{
    requireKind(info_, AdapterKind::Gallery, "transform stored gallery embeddings");
    if (usesSideInformation())
        throw Error("adapter '" + info_.name + "' was trained with side information (" +
                    sideInformationUse().name() + "): it moves a stored embedding only together with the item's "
                    "side information (xbt index --side-information stores it)");
    checkInput(info_, oldEmbeddings, projection_.inputDim(), "embeddings of " + info_.oldModel.name);
    return projection_.apply(oldEmbeddings);
}

Matrix CompatibilityAdapter::transformGalleryImages(const Matrix& oldImages, const Matrix& imageSide) const
{
    return transformWithSideInformation(oldImages, imageSide, true);
}

Matrix CompatibilityAdapter::transformGalleryTexts(const Matrix& oldTexts, const Matrix& textSide) const
{
    return transformWithSideInformation(oldTexts, textSide, false);
}

Matrix CompatibilityAdapter::transformWithSideInformation(const Matrix& old, const Matrix& side, bool images) const
{
    if (!usesSideInformation())
        return transformGallery(old);
    requireKind(info_, AdapterKind::Gallery, "transform stored gallery embeddings");
    const SideInformationUse use = sideInformationUse();
    const bool read = images ? use.images : use.captions;
    const std::string items = images ? "image" : "caption";
    if (read && side.rows != old.rows)
        throw Error("adapter '" + info_.name + "' reads each " + items + "'s side information beside its embedding: "
                    "got it for " + std::to_string(side.rows) + " of " + std::to_string(old.rows) + " " + items +
                    "s (xbt index --side-information stores it)");
    const Matrix unread;
    const Matrix input = images ? withImageSideInformation(old, read ? side : unread)
                                : withTextSideInformation(old, read ? side : unread);
    checkInput(info_, input, projection_.inputDim(), "embeddings of " + info_.oldModel.name + " with side information");
    return projection_.apply(input);
}

void CompatibilityAdapter::setImageMap(ProjectionWeights weights)
{
    const std::string what = "adapter '" + info_.name + "'";
    requireKind(info_, AdapterKind::Query, "map images with an image map of its own");
    weights.validate(what + "'s image map");
    if (weights.inputDim() != projection_.inputDim() || weights.outputDim() != projection_.outputDim())
        throw Error(what + ": the image map maps " + std::to_string(weights.inputDim()) + " -> " +
                    std::to_string(weights.outputDim()) + " dimensions, phi " + std::to_string(projection_.inputDim()) +
                    " -> " + std::to_string(projection_.outputDim()) + "; both must map the new space into the old");
    if ((!featureAdapter_.empty() || !loraDeltas_.empty()) && info_.imageMapShare >= 1.0)
        refuseSecondImagePath(info_.name, "an image map");
    imageMap_ = std::move(weights);
}

void CompatibilityAdapter::setFeatureAdapter(FeatureAdapterWeights weights)
{
    const std::string what = "adapter '" + info_.name + "'";
    weights.validate(what);
    if (!weights.empty() && hasImageMap() && !mixesImageMap())
        refuseSecondImagePath(info_.name, "a feature adapter");
    if (!weights.empty() && weights.down.cols != projection_.inputDim())
        throw Error(what + ": the feature adapter works on " + std::to_string(weights.down.cols) +
                    "-dimensional embeddings, phi takes " + std::to_string(projection_.inputDim()));
    featureAdapter_ = std::move(weights);
}

void CompatibilityAdapter::setLoraDeltas(std::map<std::string, Matrix> deltas,
                                         std::map<std::string, std::vector<int64_t>> shapes)
{
    for (const auto& [name, delta] : deltas) {
        const auto shape = shapes.find(name);
        if (shape == shapes.end() || shape->second.empty())
            throw Error("adapter '" + info_.name + "': LoRA delta '" + name + "' has no parameter shape");
        int64_t count = 1;
        for (int64_t d : shape->second)
            count *= d;
        if (delta.rows != shape->second.front() || delta.rows * delta.cols != count ||
            delta.data.size() != static_cast<size_t>(count))
            throw Error("adapter '" + info_.name + "': LoRA delta '" + name + "' is " + std::to_string(delta.rows) +
                        "x" + std::to_string(delta.cols) + ", which does not hold a parameter of " +
                        std::to_string(count) + " values with " + std::to_string(shape->second.front()) + " rows");
    }
    if (deltas.size() != shapes.size())
        throw Error("adapter '" + info_.name + "': LoRA shapes are given for parameters without a delta");
    if (!deltas.empty() && hasImageMap() && !mixesImageMap())
        refuseSecondImagePath(info_.name, "LoRA deltas");
    loraDeltas_ = std::move(deltas);
    loraShapes_ = std::move(shapes);
}

void CompatibilityAdapter::checkNewModel(const ModelInfo& newModel) const
{
    if (newModel.fingerprint == info_.newModel.fingerprint)
        return;
    throw Error("adapter '" + info_.name + "' was trained for new model " +
                describe(info_.newModel.name, info_.newModel.fingerprint) + ", not for " +
                describe(newModel.name, newModel.fingerprint) + ": use " + info_.newModel.name +
                " (the exact model it was trained with), or train an adapter for " + newModel.name);
}

void CompatibilityAdapter::checkOldModel(const ModelInfo& oldModel) const
{
    if (oldModel.fingerprint == info_.oldModel.fingerprint)
        return;
    throw Error("adapter '" + info_.name + "' maps into the space of old model " +
                describe(info_.oldModel.name, info_.oldModel.fingerprint) + ", not of " +
                describe(oldModel.name, oldModel.fingerprint) + ": use " + info_.oldModel.name +
                " (the exact model it was trained with), or train an adapter with " + oldModel.name +
                " as the old model");
}

void CompatibilityAdapter::checkModels(const ModelInfo& oldModel, const ModelInfo& newModel) const
{
    checkOldModel(oldModel);
    checkNewModel(newModel);
}

Matrix CompatibilityAdapter::interpolateTexts(const Matrix& oldTexts, const Matrix& mappedTexts) const
{
    const InterpolationSide& q = info_.interpolation.texts;
    return q.usesOld() ? interpolateRows(oldTexts, mappedTexts, q.weight, q.kind) : mappedTexts;
}

Matrix CompatibilityAdapter::interpolateImages(const Matrix& oldImages, const Matrix& mappedImages) const
{
    const InterpolationSide& q = info_.interpolation.images;
    return q.usesOld() ? interpolateRows(oldImages, mappedImages, q.weight, q.kind) : mappedImages;
}

std::string CompatibilityAdapter::weightsFingerprint() const
{
    Sha256 h;
    h.update(std::string(adapterKindName(info_.kind)) + "\n");
    for (const auto& [name, tensor] : adapterTensors(*this)) {
        h.update(name + ":");
        for (int64_t d : tensor.shape)
            h.update(std::to_string(d) + ",");
        h.update(tensor.values.data(), tensor.values.size() * sizeof(float));
    }
    if (mixesImageMap())  // the mix is part of what image queries compute
        h.update("image_map_share:" + nlohmann::json(info_.imageMapShare).dump());
    return h.hexDigest();
}

}  // namespace xbt

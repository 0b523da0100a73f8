// makeAdaptedModel (declared in CompatibilityAdapter.h): the new model seen
// through a query adapter.
#include "core/adapt/CompatibilityAdapter.h"

#include "core/image/ClipImagePreprocessor.h"
#include "core/model/ModelOptions.h"
#include "core/model/builtin/BuiltinSampleModel.h"
#include "core/util/Error.h"
#include "core/util/Sha256.h"

namespace xbt {

namespace {

class AdaptedEmbeddingModel : public EmbeddingModel {
public:
    AdaptedEmbeddingModel(std::shared_ptr<EmbeddingModel> newModel, std::shared_ptr<const CompatibilityAdapter> adapter,
                          std::unique_ptr<EmbeddingModel> imageTower, std::shared_ptr<EmbeddingModel> oldModel)
        : newModel_(std::move(newModel)), adapter_(std::move(adapter)), imageTower_(std::move(imageTower)),
          oldModel_(std::move(oldModel))
    {
        const AdapterInfo& a = adapter_->info();
        info_ = newModel_->info();
        info_.name = info_.name + "+" + a.name;
        info_.embeddingDim = static_cast<int>(adapter_->projection().outputDim());
        // Another adapter, or the same one retrained, is another model; so
        // is the same adapter with its queries interpolated.
        std::string identity = newModel_->info().fingerprint + "\n" + adapter_->weightsFingerprint();
        if (oldModel_)
            identity += "\n" + a.interpolation.toJson().dump();
        info_.fingerprint = sha256Hex(identity);
        info_.adapterTarget = a.oldModel.fingerprint;
        info_.adapterName = a.name;
    }

    const ModelInfo& info() const override { return info_; }

    Matrix encodeImages(const std::vector<PixelTensor>& images) override
    {
        EmbeddingModel& tower = imageTower_ ? *imageTower_ : *newModel_;
        // An image map mixed with LoRA reads the new model's own embedding
        // too: two passes through the image tower.
        Matrix mapped = adapter_->mixesImageMapWithTower()
                            ? adapter_->mapImagesWithTower(newModel_->encodeImages(images), tower.encodeImages(images))
                            : adapter_->mapImages(tower.encodeImages(images));
        if (!oldModel_ || !adapter_->info().interpolation.images.usesOld())
            return mapped;
        // The pixels were prepared for the new model; the old one may want
        // another resolution or normalisation.
        const PreprocessSettings& from = info_.preprocess;
        const PreprocessSettings& to = oldModel_->info().preprocess;
        std::vector<PixelTensor> forOld;
        forOld.reserve(images.size());
        for (const PixelTensor& p : images)
            forOld.push_back(convertPreprocessed(p, from, to));
        return adapter_->interpolateImages(oldModel_->encodeImages(forOld), mapped);
    }

    Matrix encodeTexts(const std::vector<std::string>& texts) override
    {
        Matrix mapped = adapter_->mapTexts(newModel_->encodeTexts(texts));
        if (!oldModel_ || !adapter_->info().interpolation.texts.usesOld())
            return mapped;
        return adapter_->interpolateTexts(oldModel_->encodeTexts(texts), mapped);
    }

    const TextTokenizer& tokenizer() const override { return newModel_->tokenizer(); }

private:
    std::shared_ptr<EmbeddingModel> newModel_;
    std::shared_ptr<const CompatibilityAdapter> adapter_;
    std::unique_ptr<EmbeddingModel> imageTower_;  // LoRA: the new model with the deltas merged
    std::shared_ptr<EmbeddingModel> oldModel_;    // interpolated queries: today's encoders
    ModelInfo info_;
};

WeightDeltas weightDeltas(const CompatibilityAdapter& adapter)
{
    WeightDeltas deltas;
    for (const auto& [name, delta] : adapter.loraDeltas())
        deltas[name] = {adapter.loraShapes().at(name), delta.data};
    return deltas;
}

}  // namespace

std::unique_ptr<BuiltinSampleModel> loadLoraImageTower(const ModelInfo& newModel, const CompatibilityAdapter& adapter,
                                                       const ModelOptions& options)
{
    if (newModel.kind != "builtin" || !BuiltinSampleModel::isModelFolder(newModel.source))
        throw Error("adapter '" + adapter.info().name + "' adapts the image tower of " + newModel.name +
                    " with LoRA, which needs the built-in model's folder; " + newModel.source +
                    " is not one: load " + newModel.name + " as a built-in model (by name or folder)");
    ModelOptions towerOptions = options;
    towerOptions.name.reset();
    return BuiltinSampleModel::load(newModel.source, towerOptions, weightDeltas(adapter));
}

std::unique_ptr<EmbeddingModel> makeAdaptedModel(std::shared_ptr<EmbeddingModel> newModel,
                                                 std::shared_ptr<const CompatibilityAdapter> adapter,
                                                 const ModelOptions& options,
                                                 std::shared_ptr<EmbeddingModel> oldModel)
{
    if (!newModel || !adapter)
        throw Error("makeAdaptedModel: no model or no adapter given (internal error)");
    const AdapterInfo& a = adapter->info();
    if (a.kind != AdapterKind::Query)
        throw Error("adapter '" + a.name + "' (" + a.method +
                    ") is a gallery transform: it moves stored " + a.oldModel.name + " embeddings into the space of " +
                    a.newModel.name + " and cannot turn " + a.newModel.name +
                    " into a model of the old space; apply it to the gallery instead, or use a query adapter "
                    "(lstsq, procrustes, slerp, xbt)");
    adapter->checkNewModel(newModel->info());
    if (oldModel)
        adapter->checkOldModel(oldModel->info());
    if (!a.interpolation.active())
        oldModel.reset();  // not needed: the adapter alone is the query
    std::unique_ptr<EmbeddingModel> imageTower;
    if (!adapter->mapsImageEmbeddings())
        imageTower = loadLoraImageTower(newModel->info(), *adapter, options);
    return std::make_unique<AdaptedEmbeddingModel>(std::move(newModel), std::move(adapter), std::move(imageTower),
                                                   std::move(oldModel));
}

}  // namespace xbt

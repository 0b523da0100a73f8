#include "core/model/CompatibleView.h"

#include "core/util/Error.h"

#include <string>
#include <vector>

namespace xbt {

Matrix oldComparablePart(const Matrix& embeddings, const CompatibleWith& compatibility)
{
    if (!compatibility.firstDims)
        return embeddings;
    const int64_t d = compatibility.dims;
    if (d <= 0 || embeddings.cols < d)
        throw Error("a compatible model's embeddings have " + std::to_string(embeddings.cols) +
                    " values, fewer than the " + std::to_string(d) + " that compare with " + compatibility.name);
    Matrix out = embeddings.leadingColumns(d);
    normalizeRows(out);
    return out;
}

bool isCompatibleWith(const ModelInfo& model, const std::string& oldFingerprint)
{
    return model.compatibleWith.declared() && !oldFingerprint.empty() &&
           model.compatibleWith.fingerprint == oldFingerprint && model.fingerprint != oldFingerprint;
}

namespace {

class CompatibleViewModel : public EmbeddingModel {
public:
    explicit CompatibleViewModel(std::shared_ptr<EmbeddingModel> model) : model_(std::move(model))
    {
        info_ = model_->info();
        const CompatibleWith& c = info_.compatibleWith;
        info_.embeddingDim = c.firstDims ? c.dims : info_.embeddingDim;
        info_.adapterTarget = c.fingerprint;
        info_.adapterName = kCompatibleViewName;
    }

    const ModelInfo& info() const override { return info_; }
    Matrix encodeImages(const std::vector<PixelTensor>& images) override
    {
        return oldComparablePart(model_->encodeImages(images), info_.compatibleWith);
    }
    Matrix encodeTexts(const std::vector<std::string>& texts) override
    {
        return oldComparablePart(model_->encodeTexts(texts), info_.compatibleWith);
    }
    const TextTokenizer& tokenizer() const override { return model_->tokenizer(); }

private:
    std::shared_ptr<EmbeddingModel> model_;
    ModelInfo info_;
};

}  // namespace

std::unique_ptr<EmbeddingModel> makeCompatibleView(std::shared_ptr<EmbeddingModel> model)
{
    if (!model->info().compatibleWith.declared())
        throw Error("model " + model->info().name + " was not trained compatible with another model");
    return std::make_unique<CompatibleViewModel>(std::move(model));
}

}  // namespace xbt

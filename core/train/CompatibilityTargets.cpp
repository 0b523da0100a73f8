#include "core/train/CompatibilityTargets.h"

#include "core/model/EmbeddingModel.h"
#include "core/model/ModelLoader.h"
#include "core/train/SampleWorldData.h"
#include "core/util/Error.h"

#include <algorithm>

namespace xbt {

namespace {

struct SetEmbeddings {
    Matrix images, texts;
};

// The set's images (rendered at the model's resolution) and every caption,
// in flat caption order, embedded in batches.
SetEmbeddings embedSet(EmbeddingModel& model, const SampleModelConfig& config, const std::string& split, int count,
                       const std::string& what, const ProgressCallback& progress, const CancelToken& cancel)
{
    if (progress)
        progress({"rendering " + what, 0, 0, 0.0, -1.0, model.info().name});
    const CaptionedImageSet set = renderSampleWorldSet(static_cast<uint64_t>(config.data.seed), split, count,
                                                       model.info().preprocess, 0, cancel);
    SetEmbeddings out;
    ProgressMeter meter("embedding " + what + " (" + model.info().name + ")", static_cast<int64_t>(set.size()),
                        progress);
    const size_t batch = 256;
    for (size_t b = 0; b < set.size(); b += batch) {
        cancel.throwIfCancelled();
        const size_t e = std::min(set.size(), b + batch);
        out.images.appendRows(model.encodeImages(std::vector<PixelTensor>(
            set.images.begin() + static_cast<std::ptrdiff_t>(b), set.images.begin() + static_cast<std::ptrdiff_t>(e))));
        std::vector<std::string> texts;
        for (size_t i = b; i < e; ++i)
            texts.insert(texts.end(), set.captions[i].begin(), set.captions[i].end());
        out.texts.appendRows(model.encodeTexts(texts));
        meter.update(static_cast<int64_t>(e));
    }
    return out;
}

}  // namespace

CompatibilityTargets makeCompatibilityTargets(SampleModelConfig& config, const ModelOptions& options,
                                              const ProgressCallback& progress, const CancelToken& cancel)
{
    SampleCompatibilityConfig& cc = config.compatibility;
    if (!cc.enabled())
        throw Error("makeCompatibilityTargets: the config asks for no compatible training (internal error)");
    std::unique_ptr<EmbeddingModel> old;
    try {
        old = loadModel(cc.oldModel, options);
    } catch (const Error& e) {
        throw Error("compatibility.old_model " + cc.oldModel + " did not load: " + e.what());
    }
    cc.oldName = old->info().name;
    cc.oldFingerprint = old->fingerprint();
    cc.oldDims = old->embeddingDim();
    const int expected = cc.method == "bct" ? cc.oldDims : cc.oldDims + cc.extraDims;
    if (config.embeddingDim != expected)
        throw Error("embedding_dim is " + std::to_string(config.embeddingDim) + ", but " + cc.method +
                    " against the " + std::to_string(cc.oldDims) + "-d " + cc.oldName + " needs " +
                    std::to_string(expected) + (cc.method == "bct" ? "" : " (old dims + extra_dims)"));

    CompatibilityTargets t;
    SetEmbeddings train = embedSet(*old, config, config.data.trainSplit, config.data.trainCount, "the training set",
                                   progress, cancel);
    t.oldImages = std::move(train.images);
    t.oldTexts = std::move(train.texts);
    SetEmbeddings val = embedSet(*old, config, "val", config.data.valCount, "the validation set", progress, cancel);
    t.oldValidationImages = std::move(val.images);
    t.oldValidationTexts = std::move(val.texts);
    if (cc.method != "bct") {
        if (cc.referenceModel.empty())
            throw Error("compatibility.reference_model: " + cc.method +
                        " learns from an independently trained new model; name it (e.g. \"sample-new\")");
        std::unique_ptr<EmbeddingModel> reference;
        try {
            reference = loadModel(cc.referenceModel, options);
        } catch (const Error& e) {
            throw Error("compatibility.reference_model " + cc.referenceModel + " did not load: " + e.what());
        }
        SetEmbeddings ref = embedSet(*reference, config, config.data.trainSplit, config.data.trainCount,
                                     "the training set", progress, cancel);
        t.referenceImages = std::move(ref.images);
        t.referenceTexts = std::move(ref.texts);
    }
    return t;
}

}  // namespace xbt

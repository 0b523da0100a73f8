#pragma once
// A compatibility adapter, torch-free on the outside (see Matrix.h):
//
//   query adapter:     new-model embedding -> old space
//       phi(z) = normalize(A z + B(z)),  B(z) = W2 gelu(W1 z + b1) + b2
//       (B absent for closed-form maps; see ../shared/METHODS.md)
//   image side, optionally first: a residual feature adapter on the new image
//       embedding, z' = normalize(z + U gelu(V z + c) + d), or LoRA deltas
//       merged into a built-in new model's image tower (then image embeddings
//       must be recomputed through the adapted tower: mapsImageEmbeddings()
//       is false and loadLoraImageTower() gives that tower).
//   or an image map of its own: image queries mapped by
//       psi(z) = normalize(H^T z), H the least-squares map from a corpus's old
//       to its new text embeddings (training/ImageMapFit.h), while texts keep
//       phi (see setImageMap): instead of phi and the image side (share 1),
//       or mixed with them, normalize(s psi(z) + (1 - s) phi(side(z))).
//   gallery transform (FCT): stored old embedding -> new space,
//       h(x) = normalize(A x + B(x)) with the same two-part form.

#include "core/adapt/AdapterInfo.h"
#include "core/model/EmbeddingModel.h"
#include "core/util/Matrix.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace xbt {

struct ModelOptions;
struct SideInformationUse;
class BuiltinSampleModel;

// normalize(A z + W2 gelu(W1 z + b1) + b2): the two-part map used by phi and h.
struct ProjectionWeights {
    Matrix linear;                  // A [d_out, d_in]
    Matrix hiddenWeight;            // W1 [h, d_in]; empty: no residual MLP
    std::vector<float> hiddenBias;  // b1 [h]
    Matrix outWeight;               // W2 [d_out, h]
    std::vector<float> outBias;     // b2 [d_out]

    int64_t inputDim() const { return linear.cols; }
    int64_t outputDim() const { return linear.rows; }
    bool hasResidual() const { return hiddenWeight.rows > 0; }
    // Throws xbt::Error naming `what` and the part whose shape does not fit.
    void validate(const std::string& what) const;
    // Rows of `in` [N, d_in] mapped and L2-normalised: [N, d_out].
    Matrix apply(const Matrix& in) const;
};

// normalize(z + U gelu(V z + c) + d) on new image embeddings.
struct FeatureAdapterWeights {
    Matrix down;                  // V [r, d_new]
    std::vector<float> downBias;  // c [r]
    Matrix up;                    // U [d_new, r]
    std::vector<float> upBias;    // d [d_new]
    bool empty() const { return down.rows == 0; }
    void validate(const std::string& what) const;
    Matrix apply(const Matrix& in) const;
};

class CompatibilityAdapter {
public:
    // Throws xbt::Error when the projection's shapes do not fit each other
    // or the dims of info's models (in: new dims for a query adapter, old
    // dims for a gallery transform).
    CompatibilityAdapter(AdapterInfo info, ProjectionWeights projection);
    virtual ~CompatibilityAdapter();

    const AdapterInfo& info() const { return info_; }
    AdapterInfo& mutableInfo() { return info_; }
    const ProjectionWeights& projection() const { return projection_; }

    // Query adapters. Texts: phi(z). Images: phi(feature adapter(z)), or
    // with an image map psi(z) or their mix (imageMapShare). When
    // mapsImageEmbeddings() is false (LoRA) `newImages` must come from the
    // adapted image tower (makeAdaptedModel does this); a LoRA adapter that
    // mixes in an image map needs both embeddings: mapImagesWithTower.
    Matrix mapTexts(const Matrix& newTexts) const;
    Matrix mapImages(const Matrix& newImages) const;
    // `newImages` from the new model itself (for psi), `towerImages` of the
    // same images from the LoRA-adapted tower (for phi).
    Matrix mapImagesWithTower(const Matrix& newImages, const Matrix& towerImages) const;
    // True for a LoRA adapter with an image map below share 1: image queries
    // need the new model's and the adapted tower's embeddings.
    bool mixesImageMapWithTower() const { return mixesImageMap() && !loraDeltas_.empty(); }
    // Query adapters: the queries as deployed, each mapped query interpolated
    // with the old model's embedding of the same query by the stored weight
    // of its direction (QueryInterpolation.h). `old*` may be empty when that
    // direction's weight is 1 (then the mapped queries are returned as is).
    Matrix interpolateTexts(const Matrix& oldTexts, const Matrix& mappedTexts) const;
    Matrix interpolateImages(const Matrix& oldImages, const Matrix& mappedImages) const;
    // Gallery transforms: h(x) for stored old embeddings. A transform
    // trained with side information (core/embed/SideInformation.h) needs each
    // item's side information beside its embedding: the Images / Texts forms
    // take it (ignored when the transform uses none), and transformGallery
    // refuses such a transform, saying so.
    Matrix transformGallery(const Matrix& oldEmbeddings) const;
    Matrix transformGalleryImages(const Matrix& oldImages, const Matrix& imageSide) const;
    Matrix transformGalleryTexts(const Matrix& oldTexts, const Matrix& textSide) const;
    bool usesSideInformation() const;
    // Which blocks it reads (a transform may read only captions', say).
    SideInformationUse sideInformationUse() const;

    // False when image embeddings must come from an adapted image tower (LoRA).
    bool mapsImageEmbeddings() const { return loraDeltas_.empty(); }

    // The image map psi: new image embeddings -> old space, for image
    // queries. At info().imageMapShare 1 it replaces phi and the image side,
    // and an adapter holds no image side beside it (the setters refuse);
    // below 1 image queries mix it with them, so it may hold both.
    void setImageMap(ProjectionWeights weights);
    const ProjectionWeights& imageMap() const { return imageMap_; }
    bool hasImageMap() const { return imageMap_.linear.rows > 0; }
    bool mixesImageMap() const { return hasImageMap() && info_.imageMapShare < 1.0; }

    void setFeatureAdapter(FeatureAdapterWeights weights);
    const FeatureAdapterWeights& featureAdapter() const { return featureAdapter_; }
    // LoRA on a built-in model: parameter name (as in the model's weights.pt)
    // -> the weight delta (B A * alpha / r), already multiplied out.
    void setLoraDeltas(std::map<std::string, Matrix> deltas, std::map<std::string, std::vector<int64_t>> shapes);
    const std::map<std::string, Matrix>& loraDeltas() const { return loraDeltas_; }
    const std::map<std::string, std::vector<int64_t>>& loraShapes() const { return loraShapes_; }

    // Throws xbt::Error, naming both fingerprints, when the given models are
    // not the ones this adapter was trained between.
    void checkModels(const ModelInfo& oldModel, const ModelInfo& newModel) const;
    void checkNewModel(const ModelInfo& newModel) const;
    void checkOldModel(const ModelInfo& oldModel) const;

    // sha256 over every weight (names, shapes, values): with the new model's
    // fingerprint it identifies what an adapted model computes.
    std::string weightsFingerprint() const;

private:
    // Image queries from the new model's embeddings (psi) and the image
    // side's input (phi): the same matrix unless LoRA changed the tower.
    Matrix mapImagePaths(const Matrix& newImages, const Matrix& sideInput) const;
    // h of [old | side information] for images or captions (their block; the other stays zero).
    Matrix transformWithSideInformation(const Matrix& old, const Matrix& side, bool images) const;

    AdapterInfo info_;
    ProjectionWeights projection_;
    ProjectionWeights imageMap_;  // empty: images go through phi
    FeatureAdapterWeights featureAdapter_;
    std::map<std::string, Matrix> loraDeltas_;
    std::map<std::string, std::vector<int64_t>> loraShapes_;
};

// The new model seen through a query adapter: an EmbeddingModel whose
// embeddings live in the OLD space. Its info() has the adapter's name in
// `name` ("sample-new+NAME"), its own fingerprint, and `adapterTarget` set to
// the old model's fingerprint, which is what galleries and search check.
// For LoRA adapters the new model must be a built-in model folder; its image
// tower is reloaded with the deltas merged. `newModel` is shared, unchanged.
// Gallery transforms are refused, as is a new model other than the adapter's.
// With `oldModel` (the adapter's old model, checked by fingerprint) queries
// are interpolated with the old model's as the adapter stores it; without
// one, the adapter alone maps them (a = 1), as for images put into a gallery.
// An adapter that interpolates and gets no old model is used alone.
std::unique_ptr<EmbeddingModel> makeAdaptedModel(std::shared_ptr<EmbeddingModel> newModel,
                                                 std::shared_ptr<const CompatibilityAdapter> adapter,
                                                 const ModelOptions& options,
                                                 std::shared_ptr<EmbeddingModel> oldModel = nullptr);

// LoRA adapters: the built-in new model (its folder is newModel.source) with
// the adapter's deltas merged into its weights. Throws xbt::Error for a new
// model that is not a built-in model folder.
std::unique_ptr<BuiltinSampleModel> loadLoraImageTower(const ModelInfo& newModel, const CompatibilityAdapter& adapter,
                                                       const ModelOptions& options);

}  // namespace xbt

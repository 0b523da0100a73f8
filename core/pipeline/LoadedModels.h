#pragma once
// The models one job or session works with, each loaded once: a model by
// its spec (built-in name, TorchScript archive or folder), or a model seen
// through one of the workspace's query adapters. The one place that loads
// "a model, perhaps through an adapter" for the CLI, the workbench and the
// evaluation pipeline. Not thread-safe: its owner serialises calls (models
// are not reentrant either).

#include "core/model/EmbeddingModel.h"
#include "core/model/ModelOptions.h"

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>

namespace xbt {

class CompatibilityAdapter;

// What a model seen through a query adapter is for. Queries are interpolated
// with the old model's own embedding of the query when the adapter stores an
// interpolation weight (QueryInterpolation.h), which loads the old model too.
// Items put into a gallery (xbt index --adapter) are mapped by the adapter
// alone: the weight was chosen for queries, and indexing through an adapter
// is for when the old model is no longer run.
enum class AdapterUse { Query, GalleryItems };

class LoadedModels {
public:
    // `workspaceDir` is where adapters are found; empty: no adapters.
    LoadedModels(std::string workspaceDir, ModelOptions options);
    ~LoadedModels();

    const ModelOptions& options() const { return options_; }

    // The model `spec`; with a non-empty `adapter`, that model seen through
    // the workspace's query adapter of this name (its embeddings then live in
    // the adapter's old space). Throws xbt::Error naming what failed.
    std::shared_ptr<EmbeddingModel> model(const std::string& spec, const std::string& adapter = {},
                                          AdapterUse use = AdapterUse::Query);
    // `base` seen through `adapter` (cached by the adapter's name and use).
    std::shared_ptr<EmbeddingModel> adapted(const std::shared_ptr<EmbeddingModel>& base,
                                            const std::shared_ptr<const CompatibilityAdapter>& adapter,
                                            AdapterUse use = AdapterUse::Query);
    std::shared_ptr<const CompatibilityAdapter> adapter(const std::string& name);
    // The model to search or grow a gallery of the model `galleryFingerprint`
    // with: model(spec, adapter), or, without an adapter, a model trained
    // compatible with the gallery's model seen through its compatible view
    // (CompatibleView.h). Anything else is returned as is; the gallery's
    // model lock then decides.
    std::shared_ptr<EmbeddingModel> forGallery(const std::string& spec, const std::string& adapter,
                                               const std::string& galleryFingerprint,
                                               AdapterUse use = AdapterUse::Query);

    // Puts an already loaded model in the cache (e.g. loaded off the lock).
    void keep(const std::string& spec, std::shared_ptr<EmbeddingModel> model);
    // Forgets every model and adapter (models or adapters changed on disk).
    void clear();

private:
    std::string workspaceDir_;
    ModelOptions options_;
    std::map<std::string, std::shared_ptr<EmbeddingModel>> models_;
    std::map<std::string, std::shared_ptr<const CompatibilityAdapter>> adapters_;
    // (base model fingerprint, adapter name, use) -> the adapted model
    std::map<std::tuple<std::string, std::string, AdapterUse>, std::shared_ptr<EmbeddingModel>> adapted_;
    // base model fingerprint -> its compatible view
    std::map<std::string, std::shared_ptr<EmbeddingModel>> compatibleViews_;
};

}  // namespace xbt

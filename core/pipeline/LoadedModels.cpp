#include "core/pipeline/LoadedModels.h"

#include "core/adapt/AdapterStore.h"
#include "core/adapt/CompatibilityAdapter.h"
#include "core/model/CompatibleView.h"
#include "core/model/ModelLoader.h"
#include "core/util/Error.h"
#include "core/workspace/Workspace.h"

namespace xbt {

LoadedModels::LoadedModels(std::string workspaceDir, ModelOptions options)
    : workspaceDir_(std::move(workspaceDir)), options_(std::move(options))
{
}

LoadedModels::~LoadedModels() = default;

std::shared_ptr<EmbeddingModel> LoadedModels::model(const std::string& spec, const std::string& adapterName,
                                                    AdapterUse use)
{
    std::shared_ptr<EmbeddingModel> base;
    if (auto it = models_.find(spec); it != models_.end()) {
        base = it->second;
    } else {
        base = loadModel(spec, options_);
        models_[spec] = base;
    }
    if (adapterName.empty())
        return base;
    return adapted(base, adapter(adapterName), use);
}

std::shared_ptr<EmbeddingModel> LoadedModels::adapted(const std::shared_ptr<EmbeddingModel>& base,
                                                      const std::shared_ptr<const CompatibilityAdapter>& adapter,
                                                      AdapterUse use)
{
    const auto key = std::make_tuple(base->fingerprint(), adapter->info().name, use);
    if (auto it = adapted_.find(key); it != adapted_.end())
        return it->second;
    std::shared_ptr<EmbeddingModel> oldModel;
    const AdapterInfo& info = adapter->info();
    if (use == AdapterUse::Query && info.kind == AdapterKind::Query && info.interpolation.active()) {
        if (info.oldModel.spec.empty())
            throw Error("adapter '" + info.name + "' interpolates its queries with the old model " +
                        info.oldModel.name + "'s, but does not record where that model is: train the adapter again");
        oldModel = model(info.oldModel.spec);
    }
    std::shared_ptr<EmbeddingModel> m = makeAdaptedModel(base, adapter, options_, oldModel);
    adapted_[key] = m;
    return m;
}

std::shared_ptr<const CompatibilityAdapter> LoadedModels::adapter(const std::string& name)
{
    if (auto it = adapters_.find(name); it != adapters_.end())
        return it->second;
    if (workspaceDir_.empty())
        throw Error("adapter '" + name + "' needs a workspace (--workspace): adapters live in one");
    const Workspace workspace = Workspace::open(workspaceDir_, Workspace::Mode::ReadOnly);
    std::shared_ptr<const CompatibilityAdapter> a = loadAdapter(workspace, name);
    adapters_[name] = a;
    return a;
}

std::shared_ptr<EmbeddingModel> LoadedModels::forGallery(const std::string& spec, const std::string& adapterName,
                                                         const std::string& galleryFingerprint, AdapterUse use)
{
    std::shared_ptr<EmbeddingModel> m = model(spec, adapterName, use);
    if (!adapterName.empty() || !isCompatibleWith(m->info(), galleryFingerprint))
        return m;
    std::shared_ptr<EmbeddingModel>& view = compatibleViews_[m->fingerprint()];
    if (!view)
        view = makeCompatibleView(m);
    return view;
}

void LoadedModels::keep(const std::string& spec, std::shared_ptr<EmbeddingModel> model)
{
    models_[spec] = std::move(model);
}

void LoadedModels::clear()
{
    models_.clear();
    adapters_.clear();
    adapted_.clear();
    compatibleViews_.clear();
}

}  // namespace xbt

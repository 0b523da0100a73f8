#include "core/pipeline/ProfileInference.h"

#include "core/adapt/AdapterStore.h"
#include "core/gallery/GalleryOverview.h"
#include "core/model/BuiltinModels.h"
#include "core/workspace/Workspace.h"

#include <algorithm>
#include <map>
#include <set>

namespace xbt {

namespace {

// A model spec an adapter recorded, or its built-in name for adapters saved
// before specs were recorded; empty when neither is known.
std::string specOf(const ModelRef& m)
{
    if (!m.spec.empty())
        return m.spec;
    return isBuiltinModelName(m.name) ? m.name : std::string();
}

}  // namespace

ProfileInference inferUpgradeProfile(const Workspace& workspace)
{
    ProfileInference out;
    UpgradeProfile& p = out.profile;
    p.oldGallery.clear();
    std::vector<GalleryOverview> galleries;
    for (GalleryOverview& g : galleryOverviews(workspace))
        if (g.error.empty())  // an unreadable gallery says nothing about the upgrade
            galleries.push_back(std::move(g));
    std::vector<AdapterInfo> queryAdapters;
    try {
        for (AdapterInfo& a : listAdapters(workspace))
            if (a.kind == AdapterKind::Query)
                queryAdapters.push_back(std::move(a));
    } catch (const std::exception&) {
        // A damaged adapter leaves the rest to the galleries.
    }

    // The old model: a gallery's model that some adapter maps into, or with
    // no adapters, the one model every gallery shares.
    std::map<std::string, std::vector<const GalleryOverview*>> byFingerprint;
    for (const GalleryOverview& g : galleries)
        byFingerprint[g.settings.modelFingerprint].push_back(&g);
    std::set<std::string> oldCandidates;
    for (const AdapterInfo& a : queryAdapters)
        if (byFingerprint.count(a.oldModel.fingerprint))
            oldCandidates.insert(a.oldModel.fingerprint);
    if (oldCandidates.empty() && byFingerprint.size() == 1)
        oldCandidates.insert(byFingerprint.begin()->first);
    if (oldCandidates.empty()) {
        out.missing.push_back(galleries.empty() ? "the old model: the workspace has no gallery yet (index one)"
                                                : "the old model: no adapter names one of the galleries' models");
        return out;
    }
    if (oldCandidates.size() > 1) {
        ProfileChoice c{"old_model", "The galleries hold several models that adapters map into: which is today's?", {}};
        for (const std::string& fp : oldCandidates)
            c.options.push_back(byFingerprint[fp].front()->settings.modelSpec);
        out.choices.push_back(c);
        return out;
    }
    const std::string oldFingerprint = *oldCandidates.begin();
    const std::vector<const GalleryOverview*>& oldGalleries = byFingerprint[oldFingerprint];
    p.oldModel = oldGalleries.front()->settings.modelSpec;
    p.oldGallery = oldGalleries.front()->name;
    if (oldGalleries.size() > 1) {
        ProfileChoice c{"old_gallery", "Several galleries hold the old model's embeddings: which one is today's?", {}};
        for (const GalleryOverview* g : oldGalleries)
            c.options.push_back(g->name);
        out.choices.push_back(c);
    }

    // The new model: the one the adapters into that space were trained from.
    std::map<std::string, std::string> newModels;  // fingerprint -> spec
    std::vector<std::string> adapterNames;
    for (const AdapterInfo& a : queryAdapters) {
        if (a.oldModel.fingerprint != oldFingerprint)
            continue;
        newModels.emplace(a.newModel.fingerprint, specOf(a.newModel));
        adapterNames.push_back(a.name);
    }
    if (newModels.empty()) {
        out.missing.push_back("the new model: no adapter was trained into the old model's space yet");
        return out;
    }
    if (newModels.size() > 1) {
        ProfileChoice c{"new_model", "Adapters were trained from several new models: which one is the upgrade?", {}};
        for (const auto& [fp, spec] : newModels)
            if (!spec.empty())
                c.options.push_back(spec);
        out.choices.push_back(c);
        return out;
    }
    const auto& [newFingerprint, newSpec] = *newModels.begin();
    if (newSpec.empty()) {
        out.missing.push_back("the new model: its adapters were saved without the model's file; choose it");
        return out;
    }
    p.newModel = newSpec;
    std::sort(adapterNames.begin(), adapterNames.end());
    p.defaultAdapter = adapterNames.front();
    if (const auto it = byFingerprint.find(newFingerprint); it != byFingerprint.end())
        p.newGallery = it->second.front()->name;
    return out;
}

}  // namespace xbt

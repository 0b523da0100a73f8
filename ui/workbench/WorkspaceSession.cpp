#include "ui/workbench/WorkspaceSession.h"

#include "core/adapt/AdapterStore.h"
#include "core/adapt/CompatibilityAdapter.h"
#include "core/data/CaptionedSplit.h"
#include "core/gallery/GallerySearch.h"
#include "core/model/EmbeddingModel.h"
#include "core/model/ModelLoader.h"
#include "core/workspace/DemoQueryList.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"

#include <algorithm>
#include <filesystem>

namespace xbt::ui {

namespace fs = std::filesystem;

const char* columnKindKey(ColumnKind kind)
{
    switch (kind) {
    case ColumnKind::Today: return "old->old";
    case ColumnKind::Raw: return "new->old";
    case ColumnKind::Adapted: return "new+adapter->old";
    case ColumnKind::Backfill: return "new->new";
    }
    return "";
}

WorkspaceSession::WorkspaceSession(const std::string& dir, ModelOptions modelOptions)
    : dir_(dir), modelOptions_(std::move(modelOptions)), workspace_(Workspace::open(dir, Workspace::Mode::ReadOnly))
{
    profile_ = loadUpgradeProfile(dir);
}

WorkspaceSession::~WorkspaceSession() = default;

UpgradeProfile WorkspaceSession::profile() const
{
    std::lock_guard<std::mutex> lock(profileMutex_);
    return profile_;
}

std::shared_ptr<EmbeddingModel> WorkspaceSession::model(const std::string& role)
{
    if (auto it = models_.find(role); it != models_.end())
        return it->second;
    const std::string& spec = role == "old" ? profile_.oldModel : profile_.newModel;
    if (spec.empty())
        throw Error("the workspace's upgrade.json names no " + role + " model");
    std::shared_ptr<EmbeddingModel> m = loadModel(spec, modelOptions_);
    models_[role] = m;
    return m;
}

std::shared_ptr<EmbeddingModel> WorkspaceSession::adaptedModel(const std::string& adapter)
{
    if (auto it = adapted_.find(adapter); it != adapted_.end())
        return it->second;
    std::shared_ptr<const CompatibilityAdapter> a = loadAdapter(workspace_, adapter);
    std::shared_ptr<EmbeddingModel> m = makeAdaptedModel(model("new"), a, modelOptions_);
    adapted_[adapter] = m;
    return m;
}

GallerySearch& WorkspaceSession::search(const std::string& gallery)
{
    auto it = searches_.find(gallery);
    if (it == searches_.end())
        it = searches_.emplace(gallery, std::make_unique<GallerySearch>(workspace_, gallery)).first;
    return *it->second;
}

const CaptionedSplit* WorkspaceSession::evalSplit()
{
    if (!splitLoaded_) {
        splitLoaded_ = true;
        if (!profile_.evalSplit.empty()) {
            try {
                split_ = std::make_unique<CaptionedSplit>(loadCaptionedSplit(profile_.evalSplitPath(dir_)));
            } catch (const Error&) {
                // Ground-truth marks are a nicety: a missing split only loses them.
            }
        }
    }
    return split_.get();
}

WorkspaceSummary WorkspaceSession::summarize()
{
    std::lock_guard<std::mutex> lock(mutex_);
    WorkspaceSummary s;
    s.dir = dir_;
    s.profile = profile_;
    s.hasProfile = !profile_.oldModel.empty();
    s.galleries = workspace_.galleries();
    s.adapters = listAdapters(workspace_);
    for (const char* role : {"old", "new"}) {
        ModelStatus st;
        st.role = role;
        st.spec = std::string(role) == "old" ? profile_.oldModel : profile_.newModel;
        if (!st.spec.empty()) {
            try {
                st.info = model(role)->info();
                st.loaded = true;
            } catch (const std::exception& e) {
                st.error = e.what();
            }
        } else {
            st.error = "not set in upgrade.json";
        }
        s.models.push_back(st);
    }
    const bool bothLoaded = s.models[0].loaded && s.models[1].loaded;
    for (const AdapterInfo& a : s.adapters) {
        // Only adapters between exactly these two models can serve here.
        if (bothLoaded && (a.newModel.fingerprint != s.models[1].info.fingerprint ||
                           a.oldModel.fingerprint != s.models[0].info.fingerprint)) {
            s.staleAdapters.push_back(a.name);
            continue;
        }
        if (a.kind == AdapterKind::Query)
            s.queryAdapters.push_back(a.name);
    }
    std::error_code ec;
    if (fs::is_regular_file(workspace_.sampleCorpusFile(), ec))
        s.defaultCorpus = workspace_.sampleCorpusFile();
    if (fs::is_directory(workspace_.dataSplitDir("pairs"), ec))
        s.defaultPairs = workspace_.dataSplitDir("pairs");
    if (fs::is_directory(workspace_.dataSplitDir("val"), ec))
        s.defaultValidation = workspace_.dataSplitDir("val");
    s.demoQueriesFile = demoQueriesFile(dir_, profile_);
    try {
        s.demoQueries = parseDemoQueries(readDemoQueriesText(s.demoQueriesFile));
    } catch (const std::exception& e) {
        s.demoQueriesError = e.what();
    }
    return s;
}

ExploreColumn WorkspaceSession::runColumn(ColumnKind kind, const std::string& gallery, EmbeddingModel& model,
                                          const ExploreQuery& query, bool allowIncompatible)
{
    ExploreColumn c;
    c.kind = kind;
    GallerySearch& s = search(gallery);
    if (allowIncompatible && s.settings().embeddingDim != model.embeddingDim()) {
        c.unavailable = "Not comparable: the new model makes " + std::to_string(model.embeddingDim()) +
                        "-d vectors, the old gallery holds " + std::to_string(s.settings().embeddingDim) +
                        "-d ones. Without an adapter the new model cannot search this gallery at all.";
        return c;
    }
    SearchOptions o;
    o.k = query.k;
    o.allowIncompatible = allowIncompatible;
    o.target = query.isImage() ? SearchTarget::Captions : SearchTarget::Images;
    c.results = query.isImage() ? s.byImage(model, query.imagePath, o) : s.byText(model, query.text, o);
    c.incompatible = c.results.incompatibleComparison;
    return c;
}

ExploreOutcome WorkspaceSession::explore(const ExploreQuery& query, const CancelToken& cancel)
{
    std::lock_guard<std::mutex> lock(mutex_);
    const double start = monotonicSeconds();
    ExploreOutcome out;
    out.query = query;
    if (profile_.oldModel.empty())
        throw Error(dir_ + ": no upgrade.json (old and new model, galleries): open the Models tab to set one up");

    // One column failing (a missing gallery, an adapter of other models)
    // must not hide the others: its error becomes the column's message.
    auto guarded = [&](ColumnKind kind, const std::string& title, const std::string& subtitle, auto&& body) {
        cancel.throwIfCancelled();
        ExploreColumn c;
        try {
            c = body();
        } catch (const Cancelled&) {
            throw;
        } catch (const std::exception& e) {
            c.unavailable = e.what();
        }
        c.kind = kind;
        c.title = title;
        c.subtitle = subtitle;
        out.columns.push_back(std::move(c));
    };
    const std::string oldGallery = profile_.oldGallery;
    guarded(ColumnKind::Today, "old -> old", "today's system", [&] {
        return runColumn(ColumnKind::Today, oldGallery, *model("old"), query, false);
    });
    guarded(ColumnKind::Raw, "new -> old (raw)", "incompatible comparison: new queries, old vectors, no adapter", [&] {
        return runColumn(ColumnKind::Raw, oldGallery, *model("new"), query, true);
    });
    guarded(ColumnKind::Adapted, "new + " + (query.adapter.empty() ? std::string("adapter") : query.adapter) + " -> old",
            "compatible upgrade: old gallery, not re-embedded", [&] {
                if (query.adapter.empty())
                    throw Error("No query adapter in this workspace: train one in the Train tab.");
                return runColumn(ColumnKind::Adapted, oldGallery, *adaptedModel(query.adapter), query, false);
            });
    if (!profile_.newGallery.empty())
        guarded(ColumnKind::Backfill, "new -> new", "full re-index (the reference)", [&] {
            return runColumn(ColumnKind::Backfill, profile_.newGallery, *model("new"), query, false);
        });

    if (const CaptionedSplit* split = evalSplit()) {
        if (!query.isImage()) {
            for (size_t i = 0; i < split->captions.size(); ++i)
                if (split->captions[i] == query.text) {
                    out.groundTruthImage =
                        (fs::path(split->root) / split->images[static_cast<size_t>(split->captionImage[i])])
                            .lexically_normal()
                            .string();
                    break;
                }
        } else {
            std::error_code ec;
            const fs::path q = fs::weakly_canonical(query.imagePath, ec);
            for (size_t i = 0; i < split->images.size(); ++i) {
                if (fs::weakly_canonical(fs::path(split->root) / split->images[i], ec) != q)
                    continue;
                for (size_t c = 0; c < split->captions.size(); ++c)
                    if (split->captionImage[c] == static_cast<int64_t>(i))
                        out.groundTruthCaptions.push_back(split->captions[c]);
                break;
            }
        }
    }
    for (ExploreColumn& c : out.columns)
        for (const SearchHit& h : c.results.hits) {
            const bool truth = query.isImage()
                                   ? std::find(out.groundTruthCaptions.begin(), out.groundTruthCaptions.end(),
                                               h.caption) != out.groundTruthCaptions.end()
                                   : !out.groundTruthImage.empty() &&
                                         (fs::path(c.results.root) / h.path).lexically_normal().string() ==
                                             out.groundTruthImage;
            c.groundTruth.push_back(truth ? 1 : 0);
        }
    out.seconds = monotonicSeconds() - start;
    return out;
}

void WorkspaceSession::invalidate()
{
    std::lock_guard<std::mutex> lock(mutex_);
    searches_.clear();
    dropModels();  // upgrade.json may name other models now
    split_.reset();
    splitLoaded_ = false;
    UpgradeProfile fresh = loadUpgradeProfile(dir_);
    std::lock_guard<std::mutex> profileLock(profileMutex_);
    profile_ = std::move(fresh);
}

void WorkspaceSession::reloadProfile()
{
    std::lock_guard<std::mutex> lock(mutex_);
    UpgradeProfile fresh = loadUpgradeProfile(dir_);
    std::lock_guard<std::mutex> profileLock(profileMutex_);
    profile_ = std::move(fresh);
}

void WorkspaceSession::dropModels()
{
    models_.clear();
    adapted_.clear();
}

void WorkspaceSession::switchModels(const std::string& oldSpec, const std::string& newSpec)
{
    if (oldSpec.empty() || newSpec.empty())
        throw Error("choose both an old and a new model");
    // Loading can take seconds (TorchScript): do it outside the lock so
    // queries keep running on the models in use until the switch.
    std::map<std::string, std::shared_ptr<EmbeddingModel>> loaded;
    for (const auto& [role, spec] : {std::pair<std::string, std::string>{"old", oldSpec}, {"new", newSpec}}) {
        try {
            loaded[role] = loadModel(spec, modelOptions_);
        } catch (const std::exception& e) {
            throw Error("the " + role + " model " + spec + " did not load: " + e.what());
        }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    // Re-read the file rather than trust the cached profile: the demo list
    // editor may have changed other fields since.
    UpgradeProfile fresh = loadUpgradeProfile(dir_);
    fresh.oldModel = oldSpec;
    fresh.newModel = newSpec;
    saveUpgradeProfile(dir_, fresh);
    dropModels();
    models_ = std::move(loaded);
    std::lock_guard<std::mutex> profileLock(profileMutex_);
    profile_ = std::move(fresh);
}

int64_t WorkspaceSession::galleryImageCount(const std::string& gallery)
{
    std::lock_guard<std::mutex> lock(mutex_);
    return search(gallery).imageIndexReport().vectors;
}

}  // namespace xbt::ui

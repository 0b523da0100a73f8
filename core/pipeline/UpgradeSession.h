#pragma once
// An open workspace as the CLI and the workbench use it: its upgrade (from
// upgrade.json, or inferred from its galleries and adapters when there is
// none), its models loaded once, and request-style entry points for the
// work a user asks for: search, compare one query across the upgrade's
// configurations, index a folder, import embeddings, train an adapter.
// `xbt` commands and the workbench's panels read options or widgets into a
// request and run it here, so both do exactly the same thing.
//
// Thread safety: every method may run on a worker thread; one lock
// serialises the ones that use the cached models and searches (models are
// not reentrant). index, importEmbeddings and train load their own models
// and hold no lock, so a long indexing run never blocks a query.

#include "core/adapt/AdapterInfo.h"
#include "core/adapt/AdapterTraining.h"
#include "core/gallery/GalleryIndexer.h"
#include "core/gallery/GalleryOverview.h"
#include "core/gallery/GallerySearch.h"
#include "core/pipeline/GalleryBackfill.h"
#include "core/model/ModelOptions.h"
#include "core/pipeline/Comparison.h"
#include "core/pipeline/ProfileInference.h"
#include "core/util/Progress.h"
#include "core/workspace/UpgradeProfile.h"
#include "core/workspace/Workspace.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace xbt {

class LoadedModels;
struct CaptionedSplit;

struct ModelStatus {
    std::string role;   // "old" or "new"
    std::string spec;
    bool loaded = false;
    ModelInfo info;
    std::string error;  // why it did not load, or why it is not known
};

// Where the session's upgrade came from.
enum class ProfileSource { Saved, Inferred, None };

struct WorkspaceSummary {
    std::string dir;
    UpgradeProfile profile;
    ProfileSource profileSource = ProfileSource::None;
    std::vector<ProfileChoice> profileChoices;  // inferred, but ambiguous: ask the user
    std::vector<std::string> profileMissing;    // inferred, but unknown: say so
    std::vector<std::string> galleries;
    std::vector<GalleryOverview> galleryDetails;  // the same galleries: folder, model, counts
    std::vector<AdapterInfo> adapters;       // every adapter
    std::vector<std::string> queryAdapters;  // query adapters between the profile's models
    // Adapters (of any kind) trained between other models than the
    // profile's, e.g. after the Models tab switched a model: they stay on
    // disk but cannot serve this pair. Empty while a model fails to load.
    std::vector<std::string> staleAdapters;
    std::vector<ModelStatus> models;
    // Training data found in the sample workspace's layout (WS/data/...), or
    // empty: defaults for the Train panel.
    std::string defaultCorpus;
    std::string defaultPairs;
    std::string defaultValidation;
    std::string defaultUnlabeled;  // images without captions (xbt --unlabeled)
    std::string demoQueriesFile;  // where the demo list is (or will be saved)
    std::vector<std::string> demoQueries;
    std::string demoQueriesError;  // set when the list exists but could not be read
    bool hasProfile() const { return !profile.oldModel.empty(); }
};

struct SearchRequest {
    std::string gallery = "default";
    std::string text;             // a text query, or
    std::string imagePath;        // an image query
    SearchOptions options;
    std::string modelSpec;        // empty: the gallery's own model
    std::string adapter;          // a query adapter (needs modelSpec: the new model)
    // > 0: re-rank the top K with the new model (modelSpec), re-embedding the
    // candidates from their files (SearchReranker.h); needs an adapter or a
    // model compatible with the gallery's.
    int rerankK = 0;
    // Re-ranking finds and keeps new embeddings in the gallery's new-model
    // store (NewModelStore.h); off: every query re-embeds its candidates
    // (benchmarks of the cold case).
    bool useNewModelStore = true;
    // Search a partly backfilled gallery: items its new-model store holds
    // in the new space, the rest through the adapter (byVectorMixed).
    bool mixed = false;
};

struct IndexRequest {
    IndexRunOptions run;          // folder, gallery, captions, index settings
    std::string modelSpec;        // as given (recorded in the gallery absolute)
    std::string adapter;          // new images into an old gallery through this query adapter
};

struct ImportRequest {
    ImportRunOptions run;
    std::string modelSpec;
};

struct BackfillRequest {
    BackfillOptions run;       // gallery, order, budget, seed
    std::string modelSpec;     // the new model
    std::string queriesFile;   // the queries order's log; empty: the workspace's demo query list
};

class UpgradeSession {
public:
    enum class Open { Existing, CreateIfMissing };
    // Throws xbt::Error for a folder that is not a workspace (or cannot
    // become one with CreateIfMissing).
    UpgradeSession(const std::string& dir, ModelOptions modelOptions, Open open = Open::Existing);
    ~UpgradeSession();
    UpgradeSession(const UpgradeSession&) = delete;
    UpgradeSession& operator=(const UpgradeSession&) = delete;

    const std::string& dir() const { return workspace_.dir(); }
    const WorkspaceLayout& layout() const { return workspace_; }
    const ModelOptions& modelOptions() const { return modelOptions_; }
    // upgrade.json, or what was inferred when it is missing.
    UpgradeProfile profile() const;

    // The model `spec`, perhaps through the workspace's query adapter `adapter`; cached.
    std::shared_ptr<EmbeddingModel> loadModel(const std::string& spec, const std::string& adapter = {});

    // Loads the profile's models (cached) and lists what the panels show.
    WorkspaceSummary summarize();
    SearchResults search(const SearchRequest& request);
    Comparison compare(const ComparisonQuery& query, const CancelToken& cancel = {});
    IndexRunSummary index(const IndexRequest& request, const ProgressCallback& progress = {},
                          const CancelToken& cancel = {});
    ImportRunSummary importEmbeddings(const ImportRequest& request, const ProgressCallback& progress = {});
    // Re-embeds a gallery's images with the new model into its new-model
    // store (GalleryBackfill.h); promote / drop as promoteBackfilledModel and
    // dropSecondSpace there.
    BackfillSummary backfill(const BackfillRequest& request, const ProgressCallback& progress = {},
                             const CancelToken& cancel = {});
    void promoteBackfill(const std::string& gallery);
    void dropBackfill(const std::string& gallery, bool retiredOnly);
    // An fct transform's gallery is checked against the old model first.
    AdapterTrainResult train(AdapterTrainRequest request, const AdapterProgressCallback& progress = {},
                             const CancelToken& cancel = {});

    // Galleries and adapters changed on disk (after indexing or training).
    void invalidate();
    // upgrade.json changed, but not its models or galleries (e.g. the demo
    // list was pointed at a new file): keeps the loaded models.
    void reloadProfile();
    // Points upgrade.json at other models (specs as for --model), and at
    // `oldGallery` when given. Both models load before anything is written,
    // so a model that fails leaves upgrade.json and the session as they
    // were; the error names the role and why. The cached models are then
    // dropped, since adapters belong to one model pair.
    void switchModels(const std::string& oldSpec, const std::string& newSpec, const std::string& oldGallery = {});
    // How many images a gallery holds (its image index, built once and cached).
    int64_t galleryImageCount(const std::string& gallery);

private:
    void loadProfile();
    void forgetSearch(const std::string& gallery);
    GallerySearch& gallerySearch(const std::string& gallery);
    const CaptionedSplit* evalSplit();
    ComparisonColumn runColumn(ColumnKind kind, const std::string& gallery, EmbeddingModel& model,
                               const ComparisonQuery& query, bool allowIncompatible);
    void markGroundTruth(Comparison& out);
    MixedScoring mixedScoring(const SearchRequest& request, const EmbeddingModel& newModel);

    Workspace workspace_;
    ModelOptions modelOptions_;
    std::mutex mutex_;  // models, searches: held for a whole query
    // The profile has its own lock so that the GUI thread can read it while
    // a query holds mutex_.
    mutable std::mutex profileMutex_;
    UpgradeProfile profile_;
    ProfileSource profileSource_ = ProfileSource::None;
    ProfileInference inference_;
    std::unique_ptr<LoadedModels> models_;
    std::map<std::string, std::unique_ptr<GallerySearch>> searches_;
    std::unique_ptr<CaptionedSplit> split_;
    bool splitLoaded_ = false;
};

}  // namespace xbt

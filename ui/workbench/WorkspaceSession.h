#pragma once
// An open workspace as the workbench uses it: its upgrade profile, and the
// models, adapted models and gallery searches, each loaded once and cached.
// Every method that touches disk or models runs on a worker thread (through
// the JobRunner); one lock serialises them, since models are not reentrant.

#include "core/adapt/AdapterInfo.h"
#include "core/workspace/Workspace.h"
#include "core/model/ModelOptions.h"
#include "core/workspace/UpgradeProfile.h"
#include "core/util/Progress.h"
#include "ui/workbench/ExploreTypes.h"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace xbt {
class EmbeddingModel;
class GallerySearch;
struct CaptionedSplit;
}

namespace xbt::ui {

struct ModelStatus {
    std::string role;   // "old" or "new"
    std::string spec;
    bool loaded = false;
    ModelInfo info;
    std::string error;  // why it did not load
};

struct WorkspaceSummary {
    std::string dir;
    UpgradeProfile profile;
    bool hasProfile = false;
    std::vector<std::string> galleries;
    std::vector<AdapterInfo> adapters;       // every adapter
    std::vector<std::string> queryAdapters;  // query adapters between the profile's models
    // Adapters (of any kind) trained between other models than the
    // profile's, e.g. after the Models tab switched a model: they stay on
    // disk but cannot serve this pair. Empty while a model fails to load.
    std::vector<std::string> staleAdapters;
    std::vector<ModelStatus> models;
    // Training data found in the sample workspace's layout (WS/data/...), or
    // empty: defaults for the Train panel, looked up here on the worker.
    std::string defaultCorpus;
    std::string defaultPairs;
    std::string defaultValidation;
    std::string demoQueriesFile;  // where the demo list is (or will be saved)
    std::vector<std::string> demoQueries;
    std::string demoQueriesError;  // set when the list exists but could not be read
};

class WorkspaceSession {
public:
    // Opens read-only (searching never takes the writer lock). Throws xbt::Error.
    WorkspaceSession(const std::string& dir, ModelOptions modelOptions);
    ~WorkspaceSession();

    const std::string& dir() const { return dir_; }
    const ModelOptions& modelOptions() const { return modelOptions_; }
    UpgradeProfile profile() const;

    // Loads the profile's models (cached) and lists what the panels show.
    WorkspaceSummary summarize();
    ExploreOutcome explore(const ExploreQuery& query, const CancelToken& cancel);
    // Galleries and adapters changed on disk (after indexing or training).
    void invalidate();
    // upgrade.json changed, but not its models or galleries (e.g. the demo
    // list was pointed at a new file): keeps the loaded models.
    void reloadProfile();
    // Points upgrade.json at other models (specs as for --model). Both load
    // before anything is written, so a model that fails leaves upgrade.json
    // and the session as they were; the error names the role and why. The
    // cached models and adapted models are then dropped, since adapters
    // belong to one model pair. Galleries stay: they hold old-model vectors
    // whatever the profile says.
    void switchModels(const std::string& oldSpec, const std::string& newSpec);
    // How many images a gallery holds (its image index, built once and
    // cached like a search's).
    int64_t galleryImageCount(const std::string& gallery);

private:
    std::shared_ptr<EmbeddingModel> model(const std::string& role);
    // Forgets the loaded models and everything built on them; mutex_ held.
    void dropModels();
    std::shared_ptr<EmbeddingModel> adaptedModel(const std::string& adapter);
    GallerySearch& search(const std::string& gallery);
    const CaptionedSplit* evalSplit();
    ExploreColumn runColumn(ColumnKind kind, const std::string& gallery, EmbeddingModel& model,
                            const ExploreQuery& query, bool allowIncompatible);

    std::string dir_;
    ModelOptions modelOptions_;
    std::mutex mutex_;  // models, searches: held for a whole query
    // The profile has its own lock so that the GUI thread can read it while
    // a query holds mutex_.
    mutable std::mutex profileMutex_;
    UpgradeProfile profile_;
    Workspace workspace_;
    std::map<std::string, std::shared_ptr<EmbeddingModel>> models_;
    std::map<std::string, std::shared_ptr<EmbeddingModel>> adapted_;
    std::map<std::string, std::unique_ptr<GallerySearch>> searches_;
    std::unique_ptr<CaptionedSplit> split_;
    bool splitLoaded_ = false;
};

}  // namespace xbt::ui

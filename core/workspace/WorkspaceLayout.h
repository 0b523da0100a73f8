#pragma once
// Where everything of a workspace lives on disk: one accessor per place, so
// that no other code builds a workspace path by hand. Pure path arithmetic
// (no disk access): code that only has a workspace folder's name uses it
// directly; Workspace (which opens, checks and locks) inherits it.
//
//     WS/workspace.json            {"schema_version": 1}
//     WS/upgrade.json              the upgrade: old and new model, galleries, eval split, demo list
//     WS/demo-queries.txt          the demo list when upgrade.json names none
//     WS/locks/KIND-NAME.lock      one writer lock per gallery or adapter (see WorkspaceLock)
//     WS/galleries/NAME/           one gallery: gallery.sqlite (+ FAISS index caches)
//     WS/adapters/NAME/            one adapter: adapter.json (+ tensors/)
//     WS/adapters/.training/NAME/  checkpoints of a training run of adapter NAME
//     WS/adapters/.incoming/NAME/  an adapter being saved (moved into place when complete)
//     WS/cache/thumbnails/GALLERY/ thumbnail cache
//     WS/cache/embeddings/FP/      corpus and split embeddings per model fingerprint
//     WS/cache/queries/            query images pasted into the workbench
//     WS/cache/mixing/             mixed-search score calibrations (UpgradeSession)
//     WS/results/                  reports; results/workbench (the Evaluate panel's), results/demo (xbt demo's)
//     WS/data/                     the sample workspace's generated splits (test, pairs, val, corpus)
//     WS/.sample-build/            the sample workspace's step markers

#include <string>

namespace xbt {

class WorkspaceLayout {
public:
    // `dir` is made absolute and normal, so every accessor gives absolute paths.
    explicit WorkspaceLayout(const std::string& dir);

    const std::string& dir() const { return dir_; }

    std::string manifestFile() const;
    std::string upgradeProfileFile() const;
    std::string defaultDemoQueriesFile() const;
    std::string locksDir() const;
    std::string lockFile(const std::string& kind, const std::string& name) const;

    std::string galleriesDir() const;
    std::string galleryDir(const std::string& name) const;
    std::string adaptersDir() const;
    std::string adapterDir(const std::string& name) const;
    std::string adapterCheckpointDir(const std::string& name) const;
    std::string adapterIncomingDir(const std::string& name) const;

    std::string thumbnailDir() const;
    std::string galleryThumbnailDir(const std::string& gallery) const;
    std::string embeddingCacheDir() const;
    std::string queryCacheDir() const;
    std::string mixingCacheDir() const;  // mixed-search calibrations per adapter and model pair

    std::string resultsDir() const;
    std::string workbenchResultsDir() const;
    std::string demoResultsDir() const;

    // The sample workspace's generated data: data/NAME (a split folder, or
    // corpus/ with corpus.txt).
    std::string dataDir() const;
    std::string dataSplitDir(const std::string& split) const;
    std::string sampleCorpusFile() const;
    std::string sampleBuildDir() const;

    // A path of the workspace's upgrade.json (relative: to the workspace).
    std::string resolve(const std::string& path) const;
    // Whether `path` (resolved as above, normalised lexically) lies inside the workspace.
    bool contains(const std::string& path) const;
    // A path inside the workspace as upgrade.json stores it: relative to the
    // workspace (so the workspace can move); others unchanged.
    std::string relative(const std::string& path) const;

    // The workspace's own folders, which must be real folders (see Workspace::open).
    static const char* const kOwnFolders[];
    static const size_t kOwnFolderCount;

private:
    std::string dir_;
};

}  // namespace xbt

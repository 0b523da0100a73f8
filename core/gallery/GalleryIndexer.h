#pragma once
// Indexes a local image folder into a gallery, incrementally: scans the root,
// embeds new and changed files (changed: size or mtime differ and the content
// hash confirms it) in batches, one store transaction per batch, and deletes
// the rows of files gone from disk. A run killed at any moment loses at most
// the batch in flight; the next run carries on from the store. Files that
// cannot be used are recorded with their reason and retried only when they
// change.
//
// The model lock: a gallery only ever holds embeddings of the model that
// built it; indexing with another model is refused.

#include "core/gallery/GalleryIndex.h"
#include "core/gallery/GallerySettings.h"
#include "core/model/EmbeddingModel.h"
#include "core/util/Progress.h"

#include <optional>
#include <string>
#include <vector>

namespace xbt {

class Workspace;

struct IndexRunOptions {
    std::string root;                                  // the image folder
    std::string gallery = "default";
    std::string modelSpec;                             // recorded: search's default --model
    std::optional<std::vector<std::string>> excludes;  // unset: the gallery's stored globs
    std::string captionsFile;                          // captions.tsv for the text gallery (optional)
    // For a new gallery; an existing one keeps its precision, and takes a new
    // index type (the index is a cache, rebuilt from the store).
    std::optional<VectorPrecision> precision;
    std::optional<IndexType> indexType;
    std::optional<int> nlist;
    std::optional<int> nprobe;
    int batchSize = 32;
    int decodeThreads = 0;                             // 0: one per core
    int saveIndexEveryBatches = 25;
};

struct FileFailure {
    std::string path;      // relative to the root
    std::string reason;
    bool earlier = false;  // failed in an earlier run and unchanged since (not retried)
};

struct IndexRunSummary {
    std::string gallery;
    std::string root;
    bool createdGallery = false;
    int64_t scanned = 0;
    int64_t added = 0;       // new files embedded
    int64_t changed = 0;     // changed files embedded again
    int64_t unchanged = 0;   // embedded files left as they were
    int64_t removed = 0;     // rows of files gone from disk (or now excluded)
    std::vector<FileFailure> failures;
    int64_t captionsAdded = 0;
    int64_t captionsRemoved = 0;
    int64_t captionLinesSkipped = 0;
    std::vector<std::string> captionProblems;  // the first few skipped lines, with the reason
    std::vector<std::string> scanProblems;
    bool cancelled = false;
    int64_t remaining = 0;   // files left for the next run when cancelled
    double seconds = 0.0;
    double imagesPerSecond = 0.0;  // files embedded (or failed) per second of embedding
    IndexBuildReport imageIndex;

    int64_t indexed() const { return added + changed; }
};

class GalleryIndexer {
public:
    // `workspace` must be open for writing.
    GalleryIndexer(Workspace& workspace, EmbeddingModel& model, IndexRunOptions options);
    // Throws xbt::Error when the run cannot start (model lock, root, settings);
    // per-file problems end up in the summary. Cancelling stops after the
    // batch in flight, with the store and index files consistent.
    IndexRunSummary run(const ProgressCallback& progress = {}, const CancelToken& cancel = {});

private:
    Workspace& workspace_;
    EmbeddingModel& model_;
    IndexRunOptions options_;
};

// "gallery 'g' was built with model A (fingerprint ...); ... B (fingerprint ...)":
// throws when the fingerprints differ.
void checkModelLock(const std::string& gallery, const GallerySettings& settings, const ModelInfo& model);

}  // namespace xbt

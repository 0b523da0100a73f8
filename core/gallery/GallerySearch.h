#pragma once
// Top-K search of a gallery: by text, by image file or by vector, against the
// image gallery (T2I, or I2I) or the caption gallery (I2T, or T2T).
//
// The model lock: a query must live in the gallery's embedding space (its
// model's, or mapped into it by an adapter). A query made by another model is refused, naming both models, unless the
// caller explicitly allows an incompatible comparison; the results then say
// so (SearchResults::incompatibleComparison).

#include "core/gallery/GalleryIndex.h"
#include "core/gallery/GallerySettings.h"
#include "core/model/EmbeddingModel.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace xbt {

class Workspace;

enum class SearchTarget { Images, Captions };

// Which embedding space a query vector is in: its model's own space
// (adapterTarget empty), or, when a compatibility adapter mapped a new
// model's query into an old gallery's space, that space's fingerprint in
// adapterTarget. A query searches a gallery whose model fingerprint is that space's.
struct QuerySpace {
    std::string modelName;
    std::string modelFingerprint;
    std::string adapterTarget;
};

struct SearchOptions {
    SearchTarget target = SearchTarget::Images;
    int64_t k = 10;                  // more than the gallery holds: all of it, ranked
    bool allowIncompatible = false;  // compare across models anyway (results are labelled)
};

struct SearchHit {
    int rank = 0;                    // 1-based
    int64_t id = 0;                  // item id (images) or caption id (captions)
    float score = 0.0f;              // inner product
    std::string path;                // image path relative to the root (the caption's image for captions)
    std::string caption;             // caption text (captions target only)
    int64_t itemId = 0;              // the image's item id (both targets)
    std::string contentHash;         // of the image, e.g. for thumbnails
    // Re-ranking (SearchReranker.h): re-scored by the new model, with that score.
    bool reranked = false;
    float rerankScore = 0.0f;
    // Mixed search (byVectorMixed): scored in the new model's space, from
    // the gallery's new-model store; `score` is then that space's cosine.
    bool backfilled = false;
};

// What re-ranking a search's top K with the new model did (k 0: not
// re-ranked; SearchReranker.h).
struct RerankReport {
    int k = 0;
    std::string model;         // the new model that re-scored
    int64_t reembedded = 0;    // images (or captions) embedded now
    int64_t reused = 0;        // taken from the gallery's new-model store
    int64_t stored = 0;        // re-embedded now and kept in that store
    std::string notStored;     // why none was kept (e.g. a backfill holds the store)
    int64_t missing = 0;       // candidate files gone or unreadable
    int64_t changed = 0;       // candidate files whose content changed since indexing
    double seconds = 0.0;      // re-embedding and re-scoring
};

// How a mixed search (byVectorMixed) ranks the two spaces' cosines against
// each other: a new-space cosine counts as newScale * cosine + newBias, an
// adapter's as it is. Identity: raw mixing. Fitted on an adapter's
// validation split (fitMixingCalibration in EvaluationPipeline.h).
struct MixedScoring {
    double newScale = 1.0, newBias = 0.0;
    std::string description = "raw: the two kinds of cosine compared as they are";
};

struct SearchResults {
    std::string gallery;
    std::string root;
    SearchTarget target = SearchTarget::Images;
    bool incompatibleComparison = false;
    // Set when the query model is a model trained compatible with the
    // gallery's (CompatibleView.h): says so, in words.
    std::string compatibleQuery;
    std::vector<SearchHit> hits;
    RerankReport rerank;
    // Mixed search: the items (or captions) scored in the new space, of
    // how many; -1 when the search was not mixed.
    int64_t backfilledItems = -1;
    int64_t galleryItems = 0;
    std::string newModel;
    std::string mixing;  // how the two spaces' scores were put on one scale (MixedScoring)
};

class GallerySearch {
public:
    // Opens the gallery read-only; index files that are missing or stale are
    // rebuilt in memory from the store (a writer may be indexing meanwhile).
    GallerySearch(const Workspace& workspace, const std::string& gallery);
    ~GallerySearch();
    GallerySearch(const GallerySearch&) = delete;
    GallerySearch& operator=(const GallerySearch&) = delete;

    const GallerySettings& settings() const;
    const IndexBuildReport& imageIndexReport() const;

    SearchResults byVector(const std::vector<float>& query, const QuerySpace& space, const SearchOptions& options) const;
    // A partly backfilled gallery: items its new-model store holds (of
    // `newModel`) are scored by `newQuery` in the new space, the others by
    // `query` (the adapter's, in the gallery's space), ranked together
    // through `scoring`; each hit's `score` stays its own space's cosine.
    // With nothing backfilled it equals byVector; with everything, a search
    // of the new space alone. Throws when the gallery has no store of `newModel`.
    SearchResults byVectorMixed(const std::vector<float>& query, const QuerySpace& space,
                                const std::vector<float>& newQuery, const ModelInfo& newModel,
                                const SearchOptions& options, const MixedScoring& scoring = {}) const;
    // Throws, saying how to make one, when the gallery has no new-model
    // store of `newModel` (or one of another model).
    void requireNewModelStore(const ModelInfo& newModel) const;
    SearchResults byText(EmbeddingModel& model, const std::string& text, const SearchOptions& options) const;
    // Throws xbt::Error naming the file and reason when the image cannot be used.
    SearchResults byImage(EmbeddingModel& model, const std::string& imagePath, const SearchOptions& options) const;

private:
    // Fills a hit's path, caption and item from the store; false when the
    // item (or caption) was deleted since the index was read.
    bool describeHit(int64_t id, float score, SearchTarget target, SearchHit& hit) const;

    struct Impl;
    std::unique_ptr<Impl> impl_;
};

QuerySpace modelSpace(const ModelInfo& model);

}  // namespace xbt

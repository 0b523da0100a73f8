#pragma once
// A FAISS index over one gallery's vectors (images or captions): a cache
// derived from the GalleryStore, never the source of truth. Inner product on
// L2-normalised vectors, ids = the store's stable row ids.
//
// Flat (exact) by default: IndexIDMap2 over IndexFlatIP. IVF (IndexIVFFlat,
// inner product) is trained on the stored vectors when built; its recall@10
// against exact search is measured then and kept in the sidecar.
//
// The file is saved atomically with a small JSON sidecar (FILE.json) holding
// the store generation it reflects; a missing, damaged or stale file is
// rebuilt from the store.

#include "core/gallery/GallerySettings.h"
#include "core/gallery/GalleryStore.h"

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace xbt {

struct IndexBuildReport {
    bool rebuilt = false;      // false: loaded from its file
    int64_t vectors = 0;
    IndexType type = IndexType::Flat;
    int nlist = 0;
    int nprobe = 0;
    double recallAt10 = -1.0;  // IVF only: mean overlap of its top 10 with exact search
    double seconds = 0.0;
};

struct IndexHit {
    int64_t id = 0;
    float score = 0.0f;
};

class GalleryIndex {
public:
    struct Config {
        std::string file;         // where it is saved; the sidecar is file + ".json"
        int dim = 0;
        IndexType type = IndexType::Flat;
        int nlist = 0;            // 0: from the gallery size
        int nprobe = 0;           // 0: from nlist
    };

    // Loads `config.file` when its sidecar matches the config and
    // `generation`; otherwise builds from `vectors()`.
    static GalleryIndex loadOrBuild(const Config& config, int64_t generation,
                                    const std::function<StoredVectors()>& vectors);

    GalleryIndex(GalleryIndex&&) noexcept;
    GalleryIndex& operator=(GalleryIndex&&) noexcept;
    ~GalleryIndex();

    // Replaces the content with `stored` (an IVF index is retrained on it).
    void build(const StoredVectors& stored);
    // An IVF index that was never trained cannot take vectors: it then only
    // records that it must be built from the store (needsBuild()); so does
    // one whose gallery has doubled since its lists were trained.
    void add(const std::vector<int64_t>& ids, const Matrix& vectors);
    void remove(const std::vector<int64_t>& ids);
    bool needsBuild() const;
    // Writes the index (temp name, fsync, rename), then the sidecar.
    void save(int64_t generation) const;

    int64_t size() const;
    const IndexBuildReport& report() const;
    // Best `k` by inner product; k >= size() searches exhaustively and returns
    // every vector, ranked.
    std::vector<IndexHit> search(const float* query, int64_t k) const;

private:
    struct Impl;
    explicit GalleryIndex(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace xbt

#pragma once
// One gallery's new-model store (the second space of GalleryStore) as
// re-ranking and mixed search use it: find the new-model embeddings it
// already holds, and keep the ones a query just made, best effort.
//
// Writers of the store hold its own lock (kind "new-model-store", separate
// from the gallery's): a backfill holds it for its whole run, a re-ranked
// query only for one commit and never waits for it.

#include "core/gallery/GalleryStore.h"
#include "core/model/EmbeddingModel.h"

#include <map>
#include <string>
#include <vector>

namespace xbt {

class Workspace;

// The lock kind of a gallery's new-model store (Workspace::lock).
constexpr const char* kNewModelStoreLock = "new-model-store";

// The second-space declaration a model makes (name, fingerprint, size, spec).
SecondSpace secondSpaceOf(const ModelInfo& model, int embeddingDim, const std::string& modelSpec);

class NewModelStore {
public:
    // `newModel`: the model whose embeddings are looked up and kept; a
    // store declared for another model (or holding a retired model) is
    // neither read nor written.
    NewModelStore(const Workspace& workspace, std::string gallery, const ModelInfo& newModel, int embeddingDim,
                  std::string modelSpec);

    // The stored embeddings of these items by the new model, for their
    // current content. Empty when the store belongs to another model.
    std::map<int64_t, std::vector<float>> find(const std::vector<int64_t>& itemIds) const;

    // Stores `images` unless it cannot without waiting: the workspace
    // cannot be written, another process (a backfill) holds the store's lock, or the
    // store belongs to another model. Returns the rows stored; `why` says
    // why nothing was.
    int64_t keep(const std::vector<SecondSpaceImage>& images, std::string* why = nullptr) const;

private:
    const Workspace& workspace_;
    std::string gallery_;
    SecondSpace space_;
};

}  // namespace xbt

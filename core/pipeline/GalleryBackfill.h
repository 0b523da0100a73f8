#pragma once
// Progressive backfill (issue 17): re-embeds a gallery's images with the new
// model into the gallery's new-model store (GalleryStore's second space), in
// a chosen order, up to a budget, one store transaction per batch. The
// gallery stays searchable meanwhile (readers never wait on it); a run
// killed at any moment loses at most its batch in flight, and the next run
// goes on from the store: the order is deterministic for a seed, so every
// image is backfilled once. Each image's captions are embedded with it
// (texts: cheap), so a promote has them too.
//
// Files are read again: a missing file is skipped and counted; a file whose
// size or mtime changed since indexing is hashed and skipped when its
// content changed (`xbt index` first). Never fatal.

#include "core/eval/UpgradePaths.h"
#include "core/model/EmbeddingModel.h"
#include "core/util/Progress.h"

#include <cstdint>
#include <string>
#include <vector>

namespace xbt {

class Workspace;

// How much of the gallery a backfill should have done when it ends, in
// the order's terms: "" (all of it), "N" images or "P%" of the gallery.
struct BackfillBudget {
    int64_t images = -1;    // >= 0: this many
    double percent = -1.0;  // >= 0: this share of the gallery
    bool whole() const { return images < 0 && percent < 0; }
    int64_t of(int64_t galleryImages) const;
};
// Throws xbt::Error naming the value when it is neither N nor P%.
BackfillBudget parseBackfillBudget(const std::string& text);
BackfillOrder parseBackfillOrder(const std::string& text);  // random | uncertainty | queries

struct BackfillOptions {
    std::string gallery = "default";
    std::string modelSpec;            // how the new model loads again (kept with the store)
    BackfillOrder order = BackfillOrder::Random;
    std::vector<std::string> queryLog;  // the queries order: logged query texts
    BackfillBudget budget;
    uint64_t seed = 0;
    int batchSize = 32;
    int decodeThreads = 0;
};

struct BackfillSummary {
    std::string gallery;
    std::string model;
    std::string order;
    int64_t galleryImages = 0;   // embedded images of the gallery
    int64_t target = 0;          // images the budget covers, in order
    int64_t alreadyDone = 0;     // of those, backfilled before this run
    int64_t backfilled = 0;      // images embedded now
    int64_t captions = 0;        // captions embedded now
    int64_t missing = 0;         // files gone or unreadable (skipped)
    int64_t changed = 0;         // files whose content changed since indexing (skipped)
    int64_t remaining = 0;       // of the target, left for the next run
    int64_t storeImages = 0;     // the store's images when the run ended
    bool cancelled = false;
    double seconds = 0.0;
    double imagesPerSecond = 0.0;
};

// "backfilled 120 images (12 captions) in 3.1 s, 38.7 images/s; ..."; with
// nothing left: "backfilled 0 images (nothing left to do)".
std::string describeBackfill(const BackfillSummary& summary);

class GalleryBackfill {
public:
    // `oldModel` (the gallery's model) embeds the query log of the queries
    // order; it may be null for the other orders. `workspace` must be
    // writable.
    GalleryBackfill(Workspace& workspace, EmbeddingModel& newModel, EmbeddingModel* oldModel, BackfillOptions options);
    // Throws xbt::Error when it cannot start (another backfill holds the
    // store, the store belongs to another model, the model is the gallery's
    // own). Cancelling stops after the batch in flight, committed.
    BackfillSummary run(const ProgressCallback& progress = {}, const CancelToken& cancel = {});

private:
    Workspace& workspace_;
    EmbeddingModel& newModel_;
    EmbeddingModel* oldModel_;
    BackfillOptions options_;
};

// Makes the backfilled model the gallery's own (GalleryStore::
// promoteSecondSpace) under the gallery's and the store's locks; the
// gallery's previous embeddings stay in the store, retired, for rollback
// (running it again swaps back) until dropRetiredModel().
void promoteBackfilledModel(Workspace& workspace, const std::string& gallery);
// Drops the gallery's second space: the retired model's embeddings after a
// promote (`retiredOnly`), or any new-model store (--discard).
void dropSecondSpace(Workspace& workspace, const std::string& gallery, bool retiredOnly);

}  // namespace xbt

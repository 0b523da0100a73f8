#pragma once
// One gallery's database (galleries/NAME/gallery.sqlite): the single source of
// truth. Every image file's row (path, size, mtime, content hash, status,
// embedding), the captions of the text gallery, and the gallery's settings.
// FAISS indexes are caches derived from it (see GalleryIndex).
//
// Each write is one SQLite transaction (WAL journal), so a process killed at
// any moment leaves the store as of its last committed batch; each write also
// bumps a generation counter that index caches are checked against.

#include "core/gallery/GallerySettings.h"
#include "core/util/Matrix.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace xbt {

enum class ItemStatus { Pending, Embedded, Failed };

struct StoredItem {
    int64_t id = 0;            // stable: the FAISS id, never reused after a delete
    std::string path;          // relative to the gallery root (raw bytes)
    int64_t size = 0;
    int64_t mtimeNs = 0;
    std::string contentHash;   // sha256 of the file
    ItemStatus status = ItemStatus::Pending;
    std::string error;         // why it failed
    std::string madeBy;        // model fingerprint (or adapter id) of the embedding
    // Provenance (schema 2): the model that made the embedding, as
    // embeddedByText() writes it, and the compatibility adapter that mapped
    // it into the gallery's space (empty: the gallery's own model). Rows
    // written before schema 2 read as made by the gallery's model.
    std::string embeddedBy;
    std::string adapter;
};

// One image file's outcome, written by commitItems().
struct ItemUpdate {
    int64_t id = 0;            // 0: a new row
    std::string path;
    int64_t size = 0;
    int64_t mtimeNs = 0;
    std::string contentHash;
    ItemStatus status = ItemStatus::Pending;
    std::string error;
    std::string madeBy;
    std::string embeddedBy;        // empty: the gallery's own model
    std::string adapter;
    std::vector<float> embedding;  // empty unless embedded
};

struct CaptionSet {
    int64_t itemId = 0;
    std::vector<std::string> texts;
    Matrix embeddings;         // one row per text
    std::string madeBy;
};

struct StoredCaption {
    int64_t id = 0;
    int64_t itemId = 0;
    std::string text;
};

struct StoredVectors {
    std::vector<int64_t> ids;
    Matrix vectors;            // decoded to float32, one row per id
};

struct ItemCounts {
    int64_t embedded = 0;
    int64_t failed = 0;
    int64_t pending = 0;
    int64_t captions = 0;
};

struct CommitResult {
    std::vector<int64_t> itemIds;            // one per update, in order
    std::vector<int64_t> removedCaptionIds;  // captions dropped with re-embedded or deleted items
    std::vector<int64_t> addedCaptionIds;    // replaceCaptions(): one per text, in order
};

// The gallery's second embedding space (issue 17): the new-model store that
// a backfill and re-ranked searches fill, keyed by the gallery's item and
// caption ids, in its own model's space (never mixed with the gallery's).
// After a promote it holds the retired model's embeddings, kept for
// rollback until dropped.
struct SecondSpace {
    std::string modelName;
    std::string modelFingerprint;
    std::string modelSpec;      // how to load the model again (--model)
    int embeddingDim = 0;
    bool retired = false;       // false: a new model being backfilled; true: the model a promote replaced
};

struct SecondSpaceImage {
    int64_t itemId = 0;
    std::string contentHash;    // of the file the embedding was made from
    std::vector<float> embedding;
};

struct SecondSpaceCaption {
    int64_t captionId = 0;
    std::vector<float> embedding;
};

struct SecondSpaceCounts {
    int64_t images = 0;         // embedded items holding a second embedding
    int64_t captions = 0;
};

// One image's or caption's side information (core/embed/SideInformation.h).
struct SideInformationRow {
    int64_t id = 0;            // item id (images) or caption id
    std::string contentHash;   // images: of the file it was computed from
    std::vector<float> values;
};

struct SideInformationCounts {
    int64_t images = 0;        // embedded items holding side information of their current content
    int64_t captions = 0;
};

class GalleryStore {
public:
    enum class Mode { ReadOnly, ReadWrite };
    // 2 added the items' provenance columns (embedded_by, adapter);
    // 3 the second space (second_space_items, second_space_captions);
    // 4 side information (side_information_items, side_information_captions).
    static constexpr int kSchemaVersion = 4;

    // Creates a new database at `path` (its folder must exist).
    static GalleryStore create(const std::string& path, const GallerySettings& settings);
    // A schema 1, 2 or 3 database opened for writing is migrated to schema 4
    // (in one transaction); opened read-only it is read as it is (no second
    // space before 3, no side information before 4).
    static GalleryStore open(const std::string& path, Mode mode);

    GalleryStore(GalleryStore&&) noexcept;
    GalleryStore& operator=(GalleryStore&&) noexcept;
    ~GalleryStore();

    const std::string& path() const;
    const GallerySettings& settings() const;
    void updateSettings(const GallerySettings& settings);
    // Bumped by every write; index caches record the one they reflect.
    int64_t generation() const;

    std::vector<StoredItem> items() const;
    std::optional<StoredItem> item(int64_t id) const;
    ItemCounts counts() const;
    StoredVectors imageVectors() const;
    StoredVectors captionVectors() const;
    std::optional<StoredCaption> caption(int64_t id) const;
    // Every caption, by item id then insertion order.
    std::vector<StoredCaption> captions() const;
    // Caption texts of each item that has some, by item id, in insertion order.
    std::vector<std::pair<int64_t, std::vector<std::string>>> captionTexts() const;

    // One transaction: inserts or updates the rows. Re-embedded or failed
    // items lose their captions (they described the old content).
    CommitResult commitItems(const std::vector<ItemUpdate>& updates);
    // One transaction: only size and mtime (a file touched, content unchanged).
    void updateFileStats(const std::vector<ItemUpdate>& updates);
    // One transaction: deletes items and, with them, their captions.
    CommitResult removeItems(const std::vector<int64_t>& ids);
    // One transaction: each set replaces all captions of its item.
    CommitResult replaceCaptions(const std::vector<CaptionSet>& sets);

    // --- The second space (see SecondSpace). Its writes bump their own
    // generation, so the gallery's index caches stay valid.
    std::optional<SecondSpace> secondSpace() const;
    int64_t secondSpaceGeneration() const;
    // Declares the second space's model. The same model again changes
    // nothing; another model while the space holds rows throws, naming both
    // (drop it first).
    void setSecondSpace(const SecondSpace& space);
    // Deletes every second-space row and the declaration (one transaction).
    void dropSecondSpace();
    SecondSpaceCounts secondSpaceCounts() const;
    std::vector<int64_t> secondSpaceItemIds() const;  // ascending
    StoredVectors secondSpaceImageVectors() const;
    StoredVectors secondSpaceCaptionVectors() const;
    // The second embeddings of these items (those that have one), ids ascending.
    StoredVectors secondSpaceImageVectors(const std::vector<int64_t>& itemIds) const;
    // One transaction. Rows of items whose content hash is no longer the one
    // given (re-indexed meanwhile), or of items and captions that are gone,
    // are skipped. Returns the image and caption rows stored.
    SecondSpaceCounts commitSecondSpace(const std::vector<SecondSpaceImage>& images,
                                        const std::vector<SecondSpaceCaption>& captions);
    // One transaction: the second space's model becomes the gallery's and
    // the gallery's embeddings become the second space (retired, or no
    // longer retired when this is a rollback). Every embedded item and every
    // caption must have a second embedding; otherwise throws, saying how
    // many are missing, and nothing changes.
    void promoteSecondSpace();

    // --- Side information (FCT): computed from each item by indexing with
    // GallerySettings::sideInformation, model-free, so a promote or a new
    // model leaves it valid. Its writes bump their own generation.
    SideInformationCounts sideInformationCounts() const;
    // Embedded items (and captions) that have none for their current content.
    std::vector<StoredItem> itemsWithoutSideInformation() const;
    std::vector<StoredCaption> captionsWithoutSideInformation() const;
    // One transaction. Rows of items whose content changed since (the hash
    // differs) or that are gone are skipped; returns the rows stored.
    SideInformationCounts commitSideInformation(const std::vector<SideInformationRow>& images,
                                                const std::vector<SideInformationRow>& captions, int dims);
    // Ids ascending: embedded items with side information of their current content; every caption that has some.
    StoredVectors imageSideInformation(int dims) const;
    StoredVectors captionSideInformation(int dims) const;

private:
    struct Impl;
    explicit GalleryStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

const char* itemStatusName(ItemStatus s);
// "NAME@FINGERPRINT": how the items' embedded_by names a model.
std::string embeddedByText(const std::string& modelName, const std::string& fingerprint);

}  // namespace xbt

#pragma once
// Indexes a local image folder into a gallery, incrementally: scans the root,
// embeds new and changed files (changed: size or mtime differ and the content
// hash confirms it) in batches, one store transaction per batch, and deletes
// the rows of files gone from disk. A row is deleted only when the scan saw
// its folder and the file was not there: rows under a folder that could not
// be listed are kept, and a root that is unreadable or holds no image file
// at all (an unmounted drive) stops the run before anything is touched,
// unless allowEmptyRoot says the wipe is deliberate. A run killed at any moment loses at most
// the batch in flight; the next run carries on from the store. Files that
// cannot be used are recorded with their reason and retried only when they
// change.
//
// The model lock: a gallery only ever holds embeddings in the space of the
// model that built it: that model's, or another model's mapped into that
// space by a compatibility adapter (ModelInfo::adapterTarget). Indexing with
// any other model is refused. Each item records the model and adapter that
// made its embedding.

#include "core/data/CaptionSources.h"
#include "core/data/EmbeddingImport.h"
#include "core/gallery/GalleryIndex.h"
#include "core/gallery/GallerySettings.h"
#include "core/gallery/SideInformationFill.h"
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
    std::string captionsFile;                          // captions for the text gallery (optional)
    // How captionsFile is read (see CaptionSources.h); its paths are rebased
    // onto the root. Lenient: malformed lines are skipped and listed in the
    // summary instead of stopping the run.
    CaptionFormat captionFormat = CaptionFormat::Auto;
    bool captionsLenient = false;
    // For a new gallery; an existing one keeps its precision, and takes a new
    // index type (the index is a cache, rebuilt from the store).
    std::optional<VectorPrecision> precision;
    std::optional<IndexType> indexType;
    std::optional<int> nlist;
    std::optional<int> nprobe;
    int batchSize = 32;
    int decodeThreads = 0;                             // 0: one per core
    int saveIndexEveryBatches = 25;
    // True: the gallery stores side information from now on (GallerySettings);
    // unset: as the gallery does.
    std::optional<bool> sideInformation;
    // A root with no image file removes every stored item: only on purpose.
    bool allowEmptyRoot = false;
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
    int64_t keptUnscanned = 0;  // rows kept because their folder could not be listed
    std::vector<FileFailure> failures;
    int64_t captionsAdded = 0;
    int64_t captionsRemoved = 0;
    int64_t captionLinesSkipped = 0;
    std::vector<std::string> captionProblems;  // the first few skipped lines, with the reason
    std::vector<SkippedCaption> malformedCaptions;  // lenient mode: lines that could not be read
    std::vector<std::string> scanProblems;
    bool cancelled = false;
    int64_t remaining = 0;   // files left for the next run when cancelled
    double seconds = 0.0;
    double imagesPerSecond = 0.0;  // files embedded (or failed) per second of embedding
    IndexBuildReport imageIndex;
    // Side information computed by this run (galleries that store it).
    SideInformationFill sideInformation;

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

// The vector as the store will give it back (float16 rounds it), so that an
// index filled while committing equals the one rebuilt from the store later.
// Whoever commits embeddings (the indexer, xbt bench search) adds this form.
std::vector<float> storedVectorForm(const float* row, int64_t dim, VectorPrecision precision);

// Builds (or adds to) a gallery from embeddings made elsewhere (see
// EmbeddingImport.h), through the same store, model lock and index caches as
// GalleryIndexer. Rows are trusted only after a sample of the images is
// embedded again with the gallery's model and compared.
struct ImportRunOptions {
    std::string source;         // E.npy (+ E.npy.txt) or a clip-retrieval output folder
    std::string pathsFile;      // optional row listing for a .npy source
    bool normalize = false;     // scale rows that are not unit length
    std::string root;           // folder the paths are relative to; empty: the existing gallery's root
    std::string gallery = "default";
    std::string modelSpec;      // recorded: search's default --model
    int checkSamples = 16;      // images embedded again for the agreement check; 0: skip it
    // Rows that disagree with the model are refused (the model lock would be
    // a fiction otherwise) unless this says to import them, marked as such.
    bool acceptDisagreement = false;
    int batchSize = 32;
    int decodeThreads = 0;
};

// Imported rows say so in made_by: the model fingerprint followed by this
// marker (embedded_by names the model, as for indexed rows); rows imported
// although the agreement check found them different carry the second one.
constexpr const char* kImportedMadeBySuffix = "+imported";
constexpr const char* kDisagreeingMadeBySuffix = "+imported-disagreeing";

struct ImportRunSummary {
    std::string gallery;
    std::string modelName;         // the model the rows were checked against and recorded with
    std::string modelFingerprint;
    std::string root;
    std::string sourceDescription;
    bool createdGallery = false;
    int64_t imported = 0;          // rows written (new or replacing a stored one)
    int64_t skipped = 0;           // rows whose image the gallery already holds, unchanged on disk
    int64_t renormalisedRows = 0;
    std::vector<std::string> notOnDisk;  // imported, but no such image file under the root
    int64_t checkedRows = 0;       // 0: no agreement check ran
    std::vector<std::string> checkFailures;  // sampled images that could not be embedded again
    EmbeddingAgreement agreement;
    IndexBuildReport imageIndex;
    // Galleries that store side information: the imported items' (from their files).
    SideInformationFill sideInformation;
    double seconds = 0.0;
};

// Throws xbt::Error when the source fails its checks, a path lies outside
// the root, the model lock refuses the gallery, or the agreement check finds
// the rows different from the model's (unless acceptDisagreement); nothing
// is written then.
ImportRunSummary importIntoGallery(Workspace& workspace, EmbeddingModel& model, const ImportRunOptions& options,
                                   const ProgressCallback& progress = {});

// "gallery 'g' was built with model A (fingerprint ...); ... B (fingerprint ...)":
// throws when the model's space (ModelInfo::spaceFingerprint) is not the gallery's.
void checkModelLock(const std::string& gallery, const GallerySettings& settings, const ModelInfo& model);

}  // namespace xbt

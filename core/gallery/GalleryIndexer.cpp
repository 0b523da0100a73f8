#include "core/gallery/GalleryIndexer.h"

#include "core/data/CaptionSources.h"
#include "core/embed/BatchEmbedder.h"
#include "core/gallery/FolderScanner.h"
#include "core/gallery/GalleryFiles.h"
#include "core/gallery/GalleryStore.h"
#include "core/workspace/Workspace.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/Half.h"
#include "core/util/Sha256.h"
#include "core/util/Utf8.h"

#include <algorithm>
#include <filesystem>
#include <future>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace xbt {

namespace fs = std::filesystem;

namespace {

constexpr size_t kCaptionProblemsKept = 20;

// A file the run must embed: new (id 0) or changed.
struct WorkItem {
    ScannedFile file;
    int64_t id = 0;
    std::string hash;       // known early when a changed file was hashed to confirm the change
    std::string hashError;  // why it could not be hashed (vanished, unreadable)
};

// Hashes a batch's files that have no hash yet.
std::vector<WorkItem> hashed(std::vector<WorkItem> batch)
{
    for (WorkItem& w : batch) {
        if (!w.hash.empty())
            continue;
        try {
            w.hash = sha256File(w.file.absolute);
        } catch (const Error& e) {
            w.hashError = e.what();
        }
    }
    return batch;
}

std::string canonicalFolder(const std::string& path, const std::string& what)
{
    std::error_code ec;
    const fs::path p = fs::canonical(path, ec);
    if (ec || !fs::is_directory(p, ec))
        throw Error(path + ": " + what + " is not a readable folder" + (ec ? " (" + ec.message() + ")" : ""));
    return p.string();
}

// BatchEmbedder's reasons name the file by its absolute path; the summary
// already names it by its gallery path.
std::string reasonWithoutPath(std::string reason, const std::string& absolute)
{
    const std::string prefix = absolute + ": ";
    if (const auto at = reason.find(prefix); at != std::string::npos)
        reason.erase(at, prefix.size());
    return reason;
}

GallerySettings newSettings(const IndexRunOptions& o, const std::string& root, const ModelInfo& model)
{
    // The settings are JSON, which holds only UTF-8: a root that is not would
    // be stored altered and never match again. (Files below it may be named
    // anyhow: their paths live in the items table as bytes.)
    if (!isValidUtf8(root))
        throw Error(escapeInvalidUtf8(root) + ": the folder's path is not valid UTF-8; rename the folder to index it");
    GallerySettings s;
    s.root = root;
    s.modelName = model.name;
    s.modelSpec = o.modelSpec;
    s.modelFingerprint = model.fingerprint;
    s.preprocessing = model.preprocess.canonicalText();
    s.embeddingDim = model.embeddingDim;
    s.precision = o.precision.value_or(VectorPrecision::Float32);
    s.indexType = o.indexType.value_or(IndexType::Flat);
    s.nlist = o.nlist.value_or(0);
    s.nprobe = o.nprobe.value_or(0);
    s.excludes = o.excludes.value_or(std::vector<std::string>{});
    s.sideInformation = o.sideInformation.value_or(false);
    return s;
}

}  // namespace

std::vector<float> storedVectorForm(const float* row, int64_t dim, VectorPrecision precision)
{
    std::vector<float> v(row, row + dim);
    if (precision == VectorPrecision::Float16)
        for (float& x : v)
            x = halfToFloat(floatToHalf(x));
    return v;
}

void checkModelLock(const std::string& gallery, const GallerySettings& settings, const ModelInfo& model)
{
    // A model seen through a compatibility adapter embeds into the space it
    // was adapted to: it may add to a gallery of that space.
    if (settings.modelFingerprint == model.spaceFingerprint())
        return;
    if (!model.adapterTarget.empty())
        throw Error("gallery '" + gallery + "' was built with model " + settings.modelName + " (fingerprint " +
                    fingerprintPrefix(settings.modelFingerprint) + "); model " + model.name +
                    " maps through adapter '" + model.adapterName + "' into the space of another model (fingerprint " +
                    fingerprintPrefix(model.adapterTarget) + "), so its embeddings cannot be mixed with the gallery's: "
                    "use an adapter trained with " + settings.modelName + " as the old model, or index with " +
                    settings.modelName);
    throw Error("gallery '" + gallery + "' was built with model " + settings.modelName + " (fingerprint " +
                fingerprintPrefix(settings.modelFingerprint) + "); model " + model.name + " (fingerprint " +
                fingerprintPrefix(model.fingerprint) +
                ") is a different model and its embeddings cannot be mixed with the gallery's: use " +
                settings.modelName + ", or index into another gallery (--gallery NAME)");
}

GalleryIndexer::GalleryIndexer(Workspace& workspace, EmbeddingModel& model, IndexRunOptions options)
    : workspace_(workspace), model_(model), options_(std::move(options))
{
    if (options_.batchSize <= 0)
        options_.batchSize = 32;
    if (options_.saveIndexEveryBatches <= 0)
        options_.saveIndexEveryBatches = 25;
}

namespace {

// What one run works on, shared by its steps.
struct IndexRun {
    const IndexRunOptions& options;
    const ModelInfo& model;
    GalleryStore& store;
    GalleryIndex& images;
    GalleryIndex& captions;
    IndexRunSummary& summary;
};

// Opens the gallery's store, or creates it, and checks that this run may add to it.
GalleryStore openStore(const IndexRunOptions& o, const GalleryFiles& files, const ModelInfo& model,
                       IndexRunSummary& summary)
{
    if (!fileExists(files.database)) {
        if (!model.adapterTarget.empty())
            throw Error("gallery '" + o.gallery + "' does not exist: model " + model.name + " (through adapter '" +
                        model.adapterName + "') adds images to an existing gallery of the model it was adapted to; "
                        "create the gallery with that model first, or index with the new model alone");
        createDirectories(files.dir);
        summary.createdGallery = true;
        return GalleryStore::create(files.database, newSettings(o, summary.root, model));
    }
    GalleryStore store = GalleryStore::open(files.database, GalleryStore::Mode::ReadWrite);
    GallerySettings s = store.settings();
    checkModelLock(o.gallery, s, model);
    if (s.root != summary.root)
        throw Error("gallery '" + o.gallery + "' indexes " + s.root + ", not " + summary.root +
                    ": index this folder into another gallery (--gallery NAME)");
    if (o.precision && *o.precision != s.precision)
        throw Error("gallery '" + o.gallery + "' stores " + precisionName(s.precision) +
                    " vectors; it cannot switch to " + precisionName(*o.precision) +
                    " (delete it and index again, or use another gallery)");
    const std::string before = toJsonText(s);
    if (o.indexType) {
        s.indexType = *o.indexType;
        s.nlist = o.nlist.value_or(0);
        s.nprobe = o.nprobe.value_or(0);
    }
    if (o.excludes)
        s.excludes = *o.excludes;
    if (o.sideInformation.value_or(false))
        s.sideInformation = true;
    // The spec names the gallery's own model (search's default); an adapted
    // model adds to the gallery without becoming it.
    if (!o.modelSpec.empty() && model.adapterTarget.empty())
        s.modelSpec = o.modelSpec;
    if (toJsonText(s) != before)
        store.updateSettings(s);
    return store;
}

// Compares the scan with the store: files to embed, files only touched, rows gone.
struct RunPlan {
    std::vector<WorkItem> work;
    std::vector<ItemUpdate> touched;
    std::vector<int64_t> gone;
};

RunPlan planRun(const FolderScan& scan, std::vector<StoredItem> storedItems, IndexRunSummary& summary)
{
    RunPlan plan;
    std::unordered_map<std::string, StoredItem> known;
    for (StoredItem& item : storedItems)
        known.emplace(item.path, std::move(item));
    std::unordered_set<std::string> present;
    for (const ScannedFile& f : scan.files) {
        present.insert(f.path);
        const auto it = known.find(f.path);
        if (it == known.end()) {
            plan.work.push_back({f, 0, {}, {}});
            continue;
        }
        const StoredItem& item = it->second;
        const bool sameStats = item.size == f.size && item.mtimeNs == f.mtimeNs;
        if (item.status != ItemStatus::Pending && sameStats) {
            if (item.status == ItemStatus::Failed)
                summary.failures.push_back({f.path, item.error, true});
            else
                ++summary.unchanged;
            continue;
        }
        std::string hash;
        try {
            hash = sha256File(f.absolute);
        } catch (const Error&) {
            // Vanished or unreadable now: embedding it reports why.
        }
        if (!hash.empty() && hash == item.contentHash && item.status == ItemStatus::Embedded) {
            ItemUpdate u;
            u.id = item.id;
            u.size = f.size;
            u.mtimeNs = f.mtimeNs;
            plan.touched.push_back(u);
            ++summary.unchanged;
            continue;
        }
        plan.work.push_back({f, item.id, hash, {}});
    }
    for (const auto& [path, item] : known) {
        if (present.count(path))
            continue;
        if (scan.sawAbsence(path))
            plan.gone.push_back(item.id);
        else
            ++summary.keptUnscanned;
    }
    std::sort(plan.gone.begin(), plan.gone.end());
    return plan;
}

void removeGone(IndexRun& run, const std::vector<int64_t>& gone)
{
    if (gone.empty())
        return;
    const CommitResult r = run.store.removeItems(gone);
    run.images.remove(gone);
    run.captions.remove(r.removedCaptionIds);
    run.summary.removed = static_cast<int64_t>(gone.size());
    run.summary.captionsRemoved += static_cast<int64_t>(r.removedCaptionIds.size());
}

// Embeds one hashed batch and commits it in one transaction; the index caches follow.
void embedBatch(IndexRun& run, BatchEmbedder& embedder, const std::vector<WorkItem>& batch)
{
    const VectorPrecision precision = run.store.settings().precision;
    std::vector<ItemUpdate> updates;
    std::vector<ImageInput> inputs;
    std::vector<size_t> inputUpdate;  // the update of each input
    for (const WorkItem& w : batch) {
        ItemUpdate u;
        u.id = w.id;
        u.path = w.file.path;
        u.size = w.file.size;
        u.mtimeNs = w.file.mtimeNs;
        u.contentHash = w.hash;
        if (!w.hashError.empty()) {
            u.status = ItemStatus::Failed;
            u.error = "vanished or unreadable: " + reasonWithoutPath(w.hashError, w.file.absolute);
        } else {
            inputs.push_back({w.file.absolute, w.file.path});
            inputUpdate.push_back(updates.size());
        }
        updates.push_back(std::move(u));
    }
    // No cancel token: the batch in flight is finished and committed.
    const ImageEmbedResult r = embedder.embedImages(inputs);
    for (size_t row = 0; row < r.succeeded.size(); ++row) {
        ItemUpdate& u = updates[inputUpdate[r.succeeded[row]]];
        u.status = ItemStatus::Embedded;
        u.madeBy = run.model.fingerprint;
        u.embeddedBy = embeddedByText(run.model.name, run.model.fingerprint);
        u.adapter = run.model.adapterName;
        u.embedding = storedVectorForm(r.embeddings.row(static_cast<int64_t>(row)), r.embeddings.cols, precision);
    }
    std::unordered_map<std::string, std::string> reasons;
    for (const ImageFailure& f : r.failures)
        reasons[f.label] = f.reason;
    for (size_t k = 0; k < inputs.size(); ++k) {
        ItemUpdate& u = updates[inputUpdate[k]];
        if (u.status == ItemStatus::Embedded)
            continue;
        u.status = ItemStatus::Failed;
        const auto it = reasons.find(inputs[k].label);
        u.error = it == reasons.end() ? "not embedded" : reasonWithoutPath(it->second, inputs[k].path);
    }
    const CommitResult committed = run.store.commitItems(updates);

    std::vector<int64_t> replaced;
    std::vector<int64_t> addedIds;
    Matrix addedVectors(0, run.store.settings().embeddingDim);
    for (size_t k = 0; k < updates.size(); ++k) {
        const ItemUpdate& u = updates[k];
        if (u.id > 0)
            replaced.push_back(u.id);
        if (u.status == ItemStatus::Embedded) {
            addedIds.push_back(committed.itemIds[k]);
            addedVectors.data.insert(addedVectors.data.end(), u.embedding.begin(), u.embedding.end());
            ++addedVectors.rows;
            ++(u.id > 0 ? run.summary.changed : run.summary.added);
        } else {
            run.summary.failures.push_back({u.path, u.error, false});
        }
    }
    run.images.remove(replaced);
    run.images.add(addedIds, addedVectors);
    run.captions.remove(committed.removedCaptionIds);
    run.summary.captionsRemoved += static_cast<int64_t>(committed.removedCaptionIds.size());
}

void saveIndexes(IndexRun& run)
{
    const int64_t generation = run.store.generation();
    run.images.save(generation);
    run.captions.save(generation);
}

// Each image's captions from the file replace its stored ones; lines naming
// an image the gallery does not hold are skipped and counted.
void syncCaptions(IndexRun& run, BatchEmbedder& embedder, const LoadedCaptions& loaded,
                  const ProgressCallback& progress, const CancelToken& cancel)
{
    IndexRunSummary& summary = run.summary;
    std::unordered_map<std::string, int64_t> embeddedIds;
    for (const StoredItem& item : run.store.items())
        if (item.status == ItemStatus::Embedded)
            embeddedIds.emplace(item.path, item.id);
    std::map<int64_t, std::vector<std::string>> wanted;
    // loadCaptions already rebased every path onto the root (and refused
    // paths outside it), so they compare directly with the stored ones.
    for (const ImageCaption& rec : loaded.captions) {
        const auto it = embeddedIds.find(rec.path);
        if (it == embeddedIds.end()) {
            ++summary.captionLinesSkipped;
            if (summary.captionProblems.size() < kCaptionProblemsKept)
                summary.captionProblems.push_back(rec.file + " line " + std::to_string(rec.line) + ": " + rec.path +
                                                  " is not an indexed image (missing, excluded or failed)");
            continue;
        }
        wanted[it->second].push_back(rec.caption);
    }
    std::map<int64_t, std::vector<std::string>> stored;
    for (auto& [id, texts] : run.store.captionTexts())
        stored.emplace(id, std::move(texts));
    std::vector<std::pair<int64_t, std::vector<std::string>>> changes;
    for (auto& [id, texts] : wanted)
        if (stored[id] != texts)
            changes.emplace_back(id, std::move(texts));

    const GallerySettings& settings = run.store.settings();
    ProgressMeter meter("embedding captions", static_cast<int64_t>(changes.size()), progress);
    const size_t itemsPerCommit = static_cast<size_t>(run.options.batchSize);
    for (size_t begin = 0; begin < changes.size(); begin += itemsPerCommit) {
        if (cancel.isCancelled()) {
            summary.cancelled = true;
            return;
        }
        const size_t end = std::min(changes.size(), begin + itemsPerCommit);
        std::vector<std::string> texts;
        for (size_t i = begin; i < end; ++i)
            texts.insert(texts.end(), changes[i].second.begin(), changes[i].second.end());
        const Matrix embedded = embedder.embedTexts(texts);
        std::vector<CaptionSet> sets;
        Matrix captionVectors(0, settings.embeddingDim);
        int64_t row = 0;
        for (size_t i = begin; i < end; ++i) {
            CaptionSet set;
            set.itemId = changes[i].first;
            set.texts = changes[i].second;
            set.madeBy = run.model.fingerprint;
            set.embeddings = Matrix(static_cast<int64_t>(set.texts.size()), settings.embeddingDim);
            for (int64_t t = 0; t < set.embeddings.rows; ++t, ++row) {
                const std::vector<float> v = storedVectorForm(embedded.row(row), embedded.cols, settings.precision);
                std::copy(v.begin(), v.end(), set.embeddings.row(t));
            }
            captionVectors.appendRows(set.embeddings);
            sets.push_back(std::move(set));
        }
        const CommitResult r = run.store.replaceCaptions(sets);
        run.captions.remove(r.removedCaptionIds);
        run.captions.add(r.addedCaptionIds, captionVectors);
        summary.captionsRemoved += static_cast<int64_t>(r.removedCaptionIds.size());
        summary.captionsAdded += static_cast<int64_t>(r.addedCaptionIds.size());
        meter.update(static_cast<int64_t>(end));
    }
}

// The globs this run applies: the options', else the gallery's stored ones.
std::vector<std::string> runExcludes(const IndexRunOptions& o, const GalleryFiles& files)
{
    if (o.excludes)
        return *o.excludes;
    if (!fileExists(files.database))
        return {};
    return GalleryStore::open(files.database, GalleryStore::Mode::ReadOnly).settings().excludes;
}

// A scan that cannot tell what is on disk must not remove anything: an
// unreadable root, or one without a single image file (an unmounted drive's
// empty mount point looks exactly like that) is refused before any change.
void checkRootScan(const FolderScan& scan, const IndexRunOptions& o, const std::string& root)
{
    if (!scan.rootError.empty())
        throw Error(root + ": cannot list the folder (" + scan.rootError +
                    "); nothing was changed. Check that the folder (or the drive holding it) is readable and run "
                    "again");
    if (scan.files.empty() && !o.allowEmptyRoot)
        throw Error(root + ": no image files found (an unmounted drive or an emptied folder?); nothing was "
                    "changed. To empty gallery '" + o.gallery + "' on purpose run again with --allow-empty-root, "
                    "or delete it with xbt galleries --delete " + o.gallery);
}

}  // namespace

IndexRunSummary GalleryIndexer::run(const ProgressCallback& progress, const CancelToken& cancel)
{
    const double start = monotonicSeconds();
    if (!workspace_.writable())
        throw Error("workspace " + workspace_.dir() + " must be opened for writing to index");
    Workspace::checkName("gallery", options_.gallery);
    const WorkspaceLock lock = workspace_.lockGallery(options_.gallery);
    IndexRunSummary summary;
    summary.gallery = options_.gallery;
    summary.root = canonicalFolder(options_.root, "the folder to index");
    for (const std::string& glob : options_.excludes.value_or(std::vector<std::string>{}))
        if (!isValidUtf8(glob))
            throw Error("--exclude " + escapeInvalidUtf8(glob) + ": the pattern is not valid UTF-8");
    // Read the captions first, so that a malformed file stops the run before any work.
    LoadedCaptions loadedCaptions;
    if (!options_.captionsFile.empty()) {
        CaptionSourceOptions captionOptions;
        captionOptions.format = options_.captionFormat;
        captionOptions.imageRoot = summary.root;
        captionOptions.lenient = options_.captionsLenient;
        loadedCaptions = loadCaptions(options_.captionsFile, captionOptions);
        summary.malformedCaptions = loadedCaptions.skipped;
    }

    const GalleryFiles files = galleryFiles(workspace_.galleryDir(options_.gallery));
    if (progress)
        progress({"scanning", 0, 0, 0.0, -1.0, summary.root});
    const FolderScan scan = FolderScanner(summary.root, runExcludes(options_, files), {workspace_.dir()}).scan(cancel);
    checkRootScan(scan, options_, summary.root);
    GalleryStore store = openStore(options_, files, model_.info(), summary);
    const GallerySettings& settings = store.settings();
    GalleryIndex images = GalleryIndex::loadOrBuild(imageIndexConfig(files, settings), store.generation(),
                                                    [&] { return store.imageVectors(); });
    GalleryIndex captions = GalleryIndex::loadOrBuild(captionIndexConfig(files, settings), store.generation(),
                                                      [&] { return store.captionVectors(); });
    IndexRun run{options_, model_.info(), store, images, captions, summary};

    summary.scanned = static_cast<int64_t>(scan.files.size());
    summary.scanProblems = scan.problems;
    const RunPlan plan = planRun(scan, store.items(), summary);
    removeGone(run, plan.gone);
    store.updateFileStats(plan.touched);

    EmbedOptions embedOptions;
    embedOptions.batchSize = options_.batchSize;
    embedOptions.decodeThreads = options_.decodeThreads;
    BatchEmbedder embedder(model_, embedOptions);
    ProgressMeter meter("indexing images", static_cast<int64_t>(plan.work.size()), progress);
    const size_t batch = static_cast<size_t>(options_.batchSize);
    const auto slice = [&](size_t begin) {
        const size_t end = std::min(plan.work.size(), begin + batch);
        return std::vector<WorkItem>(plan.work.begin() + static_cast<std::ptrdiff_t>(begin),
                                     plan.work.begin() + static_cast<std::ptrdiff_t>(end));
    };
    const double embedStart = monotonicSeconds();
    size_t done = 0;
    int batches = 0;
    // The next batch is hashed while this one is decoded and embedded, so
    // that reading each file twice (hash, decode) costs little time. Only
    // committed batches change the store: a kill still loses one batch at most.
    std::future<std::vector<WorkItem>> next;
    if (!plan.work.empty())
        next = std::async(std::launch::async, hashed, slice(0));
    while (done < plan.work.size()) {
        std::vector<WorkItem> current = next.get();
        if (cancel.isCancelled()) {
            summary.cancelled = true;
            break;
        }
        const size_t end = done + current.size();
        if (end < plan.work.size())
            next = std::async(std::launch::async, hashed, slice(end));
        embedBatch(run, embedder, current);
        done = end;
        meter.update(static_cast<int64_t>(done));
        if (++batches % options_.saveIndexEveryBatches == 0)
            saveIndexes(run);
    }
    const double embedSeconds = monotonicSeconds() - embedStart;
    summary.remaining = static_cast<int64_t>(plan.work.size() - done);
    if (embedSeconds > 0 && done > 0)
        summary.imagesPerSecond = static_cast<double>(done) / embedSeconds;

    if (!options_.captionsFile.empty() && !summary.cancelled)
        syncCaptions(run, embedder, loadedCaptions, progress, cancel);
    if (settings.sideInformation && !summary.cancelled) {
        summary.sideInformation = fillSideInformation(store, summary.root, progress, cancel);
        summary.cancelled = summary.sideInformation.cancelled;
    }

    if (images.needsBuild())
        images.build(store.imageVectors());
    saveIndexes(run);
    summary.imageIndex = images.report();
    summary.seconds = monotonicSeconds() - start;
    return summary;
}

namespace {

// A source path as a root-relative gallery path; throws for one outside the root.
std::string importedPath(const std::string& path, const fs::path& root, const std::string& source, size_t row)
{
    fs::path p(path);
    std::error_code ec;
    // Absolute paths are resolved like the (canonical) root, so that a link in
    // either does not make an image look outside it.
    const fs::path relative = p.is_absolute() ? fs::weakly_canonical(p, ec).lexically_relative(root)
                                              : p.lexically_normal();
    const std::string rel = relative.generic_string();
    if (rel.empty() || rel == "." || rel == ".." || rel.rfind("../", 0) == 0 || relative.is_absolute())
        throw Error(source + " row " + std::to_string(row) + ": '" + path + "' is outside the root " + root.string() +
                    "; give --root a folder that holds every imported image");
    return rel;
}

// Up to `samples` rows, spread evenly over those whose image is on disk.
std::vector<size_t> agreementSample(const std::vector<size_t>& onDisk, int samples)
{
    std::vector<size_t> picked;
    const size_t n = std::min(onDisk.size(), static_cast<size_t>(std::max(samples, 0)));
    for (size_t k = 0; k < n; ++k)
        picked.push_back(onDisk[k * onDisk.size() / n]);
    return picked;
}

}  // namespace

ImportRunSummary importIntoGallery(Workspace& workspace, EmbeddingModel& model, const ImportRunOptions& options,
                                   const ProgressCallback& progress)
{
    const double start = monotonicSeconds();
    if (!workspace.writable())
        throw Error("workspace " + workspace.dir() + " must be opened for writing to import");
    Workspace::checkName("gallery", options.gallery);
    const WorkspaceLock lock = workspace.lockGallery(options.gallery);
    const ModelInfo& info = model.info();
    const GalleryFiles files = galleryFiles(workspace.galleryDir(options.gallery));
    ImportRunSummary summary;
    summary.gallery = options.gallery;
    summary.modelName = info.name;
    summary.modelFingerprint = info.fingerprint;

    // Everything is checked before the store is touched: a refused import writes nothing.
    std::string root = options.root;
    if (fileExists(files.database)) {
        const GallerySettings existing = GalleryStore::open(files.database, GalleryStore::Mode::ReadOnly).settings();
        checkModelLock(options.gallery, existing, info);
        if (root.empty())
            root = existing.root;
    } else if (root.empty()) {
        throw Error("gallery '" + options.gallery +
                    "' does not exist yet: give --root FOLDER, the folder the imported image paths are relative to");
    }
    summary.root = canonicalFolder(root, "the import root");
    const fs::path rootPath(summary.root);

    EmbeddingImportOptions importOptions;
    importOptions.expectedDim = info.embeddingDim;
    importOptions.normalize = options.normalize;
    importOptions.pathsFile = options.pathsFile;
    const ImportedEmbeddings imported = importEmbeddings(options.source, importOptions);
    summary.sourceDescription = imported.sourceDescription;
    summary.renormalisedRows = imported.renormalisedRows;
    std::vector<std::string> paths;
    // importEmbeddings refuses a path listed twice as written; two spellings
    // of one image ("a.jpg", "/root/a.jpg") only meet once rebased.
    std::unordered_map<std::string, size_t> firstRow;
    for (size_t r = 0; r < imported.paths.size(); ++r) {
        paths.push_back(importedPath(imported.paths[r], rootPath, options.source, r));
        const auto [it, isNew] = firstRow.emplace(paths.back(), r);
        if (!isNew)
            throw Error(options.source + " row " + std::to_string(r) + ": '" + imported.paths[r] +
                        "' is the same image as row " + std::to_string(it->second) + " ('" +
                        imported.paths[it->second] + "')");
    }

    // Stats as the indexer's scan takes them, so that a later `xbt index` of
    // the root sees the imported files as unchanged.
    if (progress)
        progress({"scanning", 0, 0, 0.0, -1.0, summary.root});
    std::unordered_map<std::string, ScannedFile> onDisk;
    for (ScannedFile& f : FolderScanner(summary.root, {}).scan().files)
        onDisk.emplace(f.path, std::move(f));

    IndexRunOptions storeOptions;
    storeOptions.root = summary.root;
    storeOptions.gallery = options.gallery;
    storeOptions.modelSpec = options.modelSpec;
    IndexRunSummary storeSummary;
    storeSummary.root = summary.root;
    // The agreement check runs before anything is written: rows that
    // disagree are refused unless the caller accepts them explicitly.
    std::vector<size_t> rowsOnDisk;
    for (size_t r = 0; r < paths.size(); ++r)
        if (onDisk.count(paths[r]))
            rowsOnDisk.push_back(r);
    const std::vector<size_t> sample = agreementSample(rowsOnDisk, options.checkSamples);
    if (!sample.empty()) {
        std::vector<ImageInput> inputs;
        for (size_t r : sample)
            inputs.push_back({onDisk.at(paths[r]).absolute, paths[r]});
        EmbedOptions embedOptions;
        embedOptions.batchSize = options.batchSize > 0 ? options.batchSize : 32;
        embedOptions.decodeThreads = options.decodeThreads;
        BatchEmbedder embedder(model, embedOptions);
        const ImageEmbedResult again = embedder.embedImages(inputs, progress);
        for (const ImageFailure& f : again.failures)
            summary.checkFailures.push_back(f.reason);
        if (!again.succeeded.empty()) {
            Matrix importedRows(0, imported.embeddings.cols);
            for (size_t k : again.succeeded) {
                const float* row = imported.embeddings.row(static_cast<int64_t>(sample[k]));
                importedRows.data.insert(importedRows.data.end(), row, row + imported.embeddings.cols);
                ++importedRows.rows;
            }
            summary.agreement = compareEmbeddings(importedRows, again.embeddings);
            summary.checkedRows = importedRows.rows;
        }
    }

    const bool disagree = summary.checkedRows > 0 && !summary.agreement.agree;
    if (disagree && !options.acceptDisagreement)
        throw Error(options.source + ": the imported embeddings do not match what model " + info.name +
                    " makes for the same images (" + summary.agreement.message +
                    "); nothing was imported. A different model version or preprocessing made them: import "
                    "embeddings made with " + info.name + ", index the folder with it, or pass "
                    "--accept-disagreement to import them anyway (marked as disagreeing)");
    GalleryStore store = openStore(storeOptions, files, info, storeSummary);
    summary.createdGallery = storeSummary.createdGallery;
    const GallerySettings& settings = store.settings();
    GalleryIndex images = GalleryIndex::loadOrBuild(imageIndexConfig(files, settings), store.generation(),
                                                    [&] { return store.imageVectors(); });
    GalleryIndex captions = GalleryIndex::loadOrBuild(captionIndexConfig(files, settings), store.generation(),
                                                      [&] { return store.captionVectors(); });
    std::unordered_map<std::string, StoredItem> known;
    for (StoredItem& item : store.items())
        known.emplace(item.path, std::move(item));

    std::vector<ItemUpdate> updates;
    for (size_t r = 0; r < paths.size(); ++r) {
        ItemUpdate u;
        u.path = paths[r];
        const auto file = onDisk.find(u.path);
        if (file != onDisk.end()) {
            u.size = file->second.size;
            u.mtimeNs = file->second.mtimeNs;
            try {
                u.contentHash = sha256File(file->second.absolute);
            } catch (const Error&) {
                // Vanished or unreadable now: imported without a hash; the next index run re-embeds it.
            }
        } else {
            summary.notOnDisk.push_back(u.path);
        }
        const auto stored = known.find(u.path);
        if (stored != known.end()) {
            const StoredItem& item = stored->second;
            if (item.status == ItemStatus::Embedded && file != onDisk.end() && item.contentHash == u.contentHash &&
                !u.contentHash.empty()) {
                ++summary.skipped;
                continue;
            }
            u.id = item.id;
        }
        u.status = ItemStatus::Embedded;
        u.madeBy = info.fingerprint + (disagree ? kDisagreeingMadeBySuffix : kImportedMadeBySuffix);
        u.embeddedBy = embeddedByText(info.name, info.fingerprint);
        u.adapter = info.adapterName;
        u.embedding = storedVectorForm(imported.embeddings.row(static_cast<int64_t>(r)), imported.embeddings.cols,
                                 settings.precision);
        updates.push_back(std::move(u));
    }
    // One transaction: an import is all there or not at all.
    const CommitResult committed = store.commitItems(updates);
    std::vector<int64_t> replaced;
    Matrix addedVectors(0, settings.embeddingDim);
    for (const ItemUpdate& u : updates) {
        if (u.id > 0)
            replaced.push_back(u.id);
        addedVectors.data.insert(addedVectors.data.end(), u.embedding.begin(), u.embedding.end());
        ++addedVectors.rows;
    }
    summary.imported = static_cast<int64_t>(updates.size());
    images.remove(replaced);
    images.add(committed.itemIds, addedVectors);
    captions.remove(committed.removedCaptionIds);
    if (images.needsBuild())
        images.build(store.imageVectors());
    const int64_t generation = store.generation();
    images.save(generation);
    captions.save(generation);
    summary.imageIndex = images.report();
    if (settings.sideInformation)
        summary.sideInformation = fillSideInformation(store, summary.root, progress);
    summary.seconds = monotonicSeconds() - start;
    return summary;
}

}  // namespace xbt

#include "core/pipeline/GalleryBackfill.h"

#include "core/embed/BatchEmbedder.h"
#include "core/gallery/GalleryFiles.h"
#include "core/gallery/GalleryIndex.h"
#include "core/gallery/GalleryStore.h"
#include "core/gallery/NewModelStore.h"
#include "core/util/Error.h"
#include "core/util/Sha256.h"
#include "core/workspace/Workspace.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

namespace xbt {

namespace fs = std::filesystem;

int64_t BackfillBudget::of(int64_t galleryImages) const
{
    if (images >= 0)
        return std::min(images, galleryImages);
    if (percent >= 0)
        return std::min(galleryImages, static_cast<int64_t>(std::llround(percent / 100.0 * static_cast<double>(galleryImages))));
    return galleryImages;
}

BackfillBudget parseBackfillBudget(const std::string& text)
{
    BackfillBudget b;
    if (text.empty())
        return b;
    const bool percent = text.back() == '%';
    const std::string number = percent ? text.substr(0, text.size() - 1) : text;
    size_t used = 0;
    try {
        if (percent) {
            b.percent = std::stod(number, &used);
            if (used != number.size() || !(b.percent >= 0.0 && b.percent <= 100.0))
                throw std::invalid_argument("range");
        } else {
            b.images = std::stoll(number, &used);
            if (used != number.size() || b.images < 0)
                throw std::invalid_argument("range");
        }
    } catch (const std::exception&) {
        throw Error("--budget " + text + ": expected a number of images (e.g. 500) or a share of the gallery from 0% "
                    "to 100% (e.g. 25%)");
    }
    return b;
}

BackfillOrder parseBackfillOrder(const std::string& text)
{
    for (BackfillOrder o : {BackfillOrder::Random, BackfillOrder::Crowding, BackfillOrder::Queries})
        if (text == backfillOrderName(o))
            return o;
    throw Error("--order " + text + ": expected random, uncertainty or queries");
}

std::string describeBackfill(const BackfillSummary& s)
{
    std::ostringstream out;
    if (s.backfilled == 0 && s.remaining == 0 && s.missing == 0 && s.changed == 0 && !s.cancelled) {
        out << "backfilled 0 images (nothing left to do)";
    } else {
        out.setf(std::ios::fixed);
        out.precision(1);
        out << "backfilled " << s.backfilled << " images (" << s.captions << " captions) in " << s.seconds << " s, "
            << s.imagesPerSecond << " images/s";
        if (s.missing > 0)
            out << "; " << s.missing << " skipped (file missing or unreadable)";
        if (s.changed > 0)
            out << "; " << s.changed << " skipped (file changed since indexing: run xbt index first)";
        if (s.cancelled)
            out << "; cancelled, " << s.remaining << " left: run the same command again to go on";
    }
    out << "\nnew-model store of gallery '" << s.gallery << "' (" << s.model << "): " << s.storeImages << " of "
        << s.galleryImages << " images";
    if (s.galleryImages > 0) {
        out.setf(std::ios::fixed);
        out.precision(1);
        out << " (" << 100.0 * static_cast<double>(s.storeImages) / static_cast<double>(s.galleryImages) << "%)";
    }
    return out.str();
}

GalleryBackfill::GalleryBackfill(Workspace& workspace, EmbeddingModel& newModel, EmbeddingModel* oldModel,
                                 BackfillOptions options)
    : workspace_(workspace), newModel_(newModel), oldModel_(oldModel), options_(std::move(options))
{
}

namespace {

GalleryStore openForWriting(Workspace& workspace, const std::string& gallery)
{
    Workspace::checkName("gallery", gallery);
    if (!workspace.writable())
        throw Error("workspace " + workspace.dir() + " must be opened for writing to backfill");
    if (!workspace.hasGallery(gallery))
        throw Error("gallery '" + gallery + "' does not exist in workspace " + workspace.dir());
    return GalleryStore::open(galleryFiles(workspace.galleryDir(gallery)).database, GalleryStore::Mode::ReadWrite);
}

// The backfill order over the gallery's embedded images (rows of `old`),
// its neighbours found by the gallery's own index.
std::vector<int64_t> orderImages(const BackfillOptions& o, const GalleryStore& store, const GalleryFiles& files,
                                 const StoredVectors& old, EmbeddingModel* oldModel)
{
    const int64_t n = old.vectors.rows;
    if (o.order == BackfillOrder::Random)
        return backfillOrder(o.order, n, {}, Matrix(), o.seed);
    Matrix log;
    if (o.order == BackfillOrder::Queries) {
        if (o.queryLog.empty())
            throw Error("--order queries needs a query log: --queries FILE (one query per line), or the workspace's "
                        "demo query list");
        if (!oldModel)
            throw Error("--order queries embeds the query log with the gallery's model, which did not load");
        log = BatchEmbedder(*oldModel, {64, 1}).embedTexts(o.queryLog);
    }
    const GalleryIndex index = GalleryIndex::loadOrBuild(imageIndexConfig(files, store.settings()), store.generation(),
                                                         [&] { return store.imageVectors(); });
    std::unordered_map<int64_t, int64_t> rowOf;
    for (size_t i = 0; i < old.ids.size(); ++i)
        rowOf[old.ids[i]] = static_cast<int64_t>(i);
    const NeighbourSearch neighbours = [&](int64_t image, int64_t query, int k) {
        const float* v = image >= 0 ? old.vectors.row(image) : log.row(query);
        std::vector<Neighbour> out;
        for (const IndexHit& h : index.search(v, k)) {
            const auto row = rowOf.find(h.id);
            if (row != rowOf.end())
                out.push_back({row->second, h.score});
        }
        return out;
    };
    return backfillOrder(o.order, n, neighbours, log, o.seed);
}

// Whether the file still holds the content the gallery indexed: size and
// mtime as stored, or (touched) the same hash.
enum class FileState { Same, Changed, Missing };
FileState fileState(const std::string& file, const StoredItem& item)
{
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
        return FileState::Missing;
    const int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    if (static_cast<int64_t>(st.st_size) == item.size && mtime == item.mtimeNs)
        return FileState::Same;
    try {
        return sha256File(file) == item.contentHash ? FileState::Same : FileState::Changed;
    } catch (const std::exception&) {
        return FileState::Missing;
    }
}

}  // namespace

BackfillSummary GalleryBackfill::run(const ProgressCallback& progress, const CancelToken& cancel)
{
    const double start = monotonicSeconds();
    const WorkspaceLock storeLock = workspace_.lock(kNewModelStoreLock, options_.gallery);
    GalleryStore store = openForWriting(workspace_, options_.gallery);
    const GallerySettings settings = store.settings();
    const ModelInfo& model = newModel_.info();
    if (model.fingerprint == settings.modelFingerprint || model.spaceFingerprint() == settings.modelFingerprint)
        throw Error("gallery '" + options_.gallery + "' already holds " + model.name +
                    "'s embeddings: there is nothing to backfill (backfill re-embeds an old gallery with a NEW model)");
    store.setSecondSpace(secondSpaceOf(model, newModel_.embeddingDim(), options_.modelSpec));

    BackfillSummary summary;
    summary.gallery = options_.gallery;
    summary.model = model.name;
    summary.order = backfillOrderName(options_.order);
    const GalleryFiles files = galleryFiles(workspace_.galleryDir(options_.gallery));
    if (progress)
        progress({"ordering the gallery", 0, 0, 0.0, -1.0, summary.order});
    const StoredVectors old = store.imageVectors();
    summary.galleryImages = old.vectors.rows;
    const std::vector<int64_t> order = orderImages(options_, store, files, old, oldModel_);
    summary.target = options_.budget.of(summary.galleryImages);

    const std::vector<int64_t> doneIds = store.secondSpaceItemIds();
    const std::set<int64_t> done(doneIds.begin(), doneIds.end());
    std::vector<int64_t> todo;
    for (int64_t i = 0; i < summary.target; ++i) {
        const int64_t id = old.ids[static_cast<size_t>(order[static_cast<size_t>(i)])];
        if (done.count(id))
            ++summary.alreadyDone;
        else
            todo.push_back(id);
    }
    // Captions added since their image was backfilled get theirs too.
    std::map<int64_t, std::vector<StoredCaption>> captionsOf;
    for (StoredCaption& c : store.captions())
        captionsOf[c.itemId].push_back(std::move(c));
    {
        const StoredVectors have = store.secondSpaceCaptionVectors();
        const std::set<int64_t> haveIds(have.ids.begin(), have.ids.end());
        std::vector<SecondSpaceCaption> late;
        std::vector<std::string> texts;
        for (int64_t id : doneIds)
            for (const StoredCaption& c : captionsOf[id])
                if (!haveIds.count(c.id)) {
                    late.push_back({c.id, {}});
                    texts.push_back(c.text);
                }
        if (!texts.empty()) {
            const Matrix e = newModel_.encodeTexts(texts);
            for (size_t i = 0; i < late.size(); ++i)
                late[i].embedding.assign(e.row(static_cast<int64_t>(i)), e.row(static_cast<int64_t>(i)) + e.cols);
            summary.captions += store.commitSecondSpace({}, late).captions;
        }
    }

    std::unordered_map<int64_t, StoredItem> items;
    for (StoredItem& it : store.items())
        items.emplace(it.id, std::move(it));
    BatchEmbedder embedder(newModel_, {options_.batchSize, options_.decodeThreads});
    ProgressMeter meter("backfilling " + options_.gallery + " with " + model.name, static_cast<int64_t>(todo.size()),
                        progress);
    const double embedStart = monotonicSeconds();
    size_t next = 0;
    const size_t batch = static_cast<size_t>(std::max(1, options_.batchSize));
    while (next < todo.size()) {
        if (cancel.isCancelled()) {
            summary.cancelled = true;
            break;
        }
        const size_t end = std::min(todo.size(), next + batch);
        std::vector<ImageInput> inputs;
        std::vector<const StoredItem*> inputItems;
        for (size_t i = next; i < end; ++i) {
            const auto it = items.find(todo[i]);
            if (it == items.end()) {
                ++summary.missing;  // removed by a concurrent xbt index
                continue;
            }
            const std::string file = (fs::path(settings.root) / it->second.path).string();
            const FileState state = fileState(file, it->second);
            if (state != FileState::Same) {
                ++(state == FileState::Missing ? summary.missing : summary.changed);
                continue;
            }
            inputs.push_back({file, it->second.path});
            inputItems.push_back(&it->second);
        }
        // No cancel token: the batch in flight is finished and committed.
        const ImageEmbedResult r = embedder.embedImages(inputs);
        summary.missing += static_cast<int64_t>(r.failures.size());
        std::vector<SecondSpaceImage> images;
        std::vector<SecondSpaceCaption> captions;
        std::vector<std::string> texts;
        for (size_t row = 0; row < r.succeeded.size(); ++row) {
            const StoredItem& item = *inputItems[r.succeeded[row]];
            const float* v = r.embeddings.row(static_cast<int64_t>(row));
            images.push_back({item.id, item.contentHash, std::vector<float>(v, v + r.embeddings.cols)});
            for (const StoredCaption& c : captionsOf[item.id]) {
                captions.push_back({c.id, {}});
                texts.push_back(c.text);
            }
        }
        if (!texts.empty()) {
            const Matrix e = newModel_.encodeTexts(texts);
            for (size_t i = 0; i < captions.size(); ++i)
                captions[i].embedding.assign(e.row(static_cast<int64_t>(i)), e.row(static_cast<int64_t>(i)) + e.cols);
        }
        const SecondSpaceCounts stored = store.commitSecondSpace(images, captions);
        summary.backfilled += stored.images;
        summary.changed += static_cast<int64_t>(images.size()) - stored.images;  // re-indexed meanwhile
        summary.captions += stored.captions;
        next = end;
        meter.update(static_cast<int64_t>(next));
    }
    summary.remaining = static_cast<int64_t>(todo.size() - next);
    const double embedSeconds = monotonicSeconds() - embedStart;
    summary.imagesPerSecond = embedSeconds > 0 ? static_cast<double>(summary.backfilled) / embedSeconds : 0.0;
    summary.storeImages = store.secondSpaceCounts().images;
    summary.seconds = monotonicSeconds() - start;
    return summary;
}

void promoteBackfilledModel(Workspace& workspace, const std::string& gallery)
{
    const WorkspaceLock galleryLock = workspace.lockGallery(gallery);
    const WorkspaceLock storeLock = workspace.lock(kNewModelStoreLock, gallery);
    GalleryStore store = openForWriting(workspace, gallery);
    store.promoteSecondSpace();
}

void dropSecondSpace(Workspace& workspace, const std::string& gallery, bool retiredOnly)
{
    const WorkspaceLock storeLock = workspace.lock(kNewModelStoreLock, gallery);
    GalleryStore store = openForWriting(workspace, gallery);
    const std::optional<SecondSpace> space = store.secondSpace();
    if (!space)
        throw Error("gallery '" + gallery + "' has no second embedding space to drop");
    if (retiredOnly && !space->retired)
        throw Error("gallery '" + gallery + "' holds no retired model: its second space is the new-model store of " +
                    space->modelName + " (not promoted yet). To throw that away, use --discard");
    store.dropSecondSpace();
}

}  // namespace xbt

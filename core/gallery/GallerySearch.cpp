#include "core/gallery/GallerySearch.h"

#include "core/embed/BatchEmbedder.h"
#include "core/gallery/GalleryFiles.h"
#include "core/gallery/GalleryStore.h"
#include "core/workspace/Workspace.h"
#include "core/util/Error.h"

namespace xbt {

QuerySpace modelSpace(const ModelInfo& model) { return {model.name, model.fingerprint, model.adapterTarget}; }

struct GallerySearch::Impl {
    std::string name;
    GalleryStore store;
    GalleryIndex images;
    GalleryIndex captions;
};

namespace {

GalleryStore openStore(const Workspace& workspace, const std::string& gallery)
{
    Workspace::checkName("gallery", gallery);
    if (!workspace.hasGallery(gallery)) {
        std::string known;
        for (const std::string& g : workspace.galleries())
            known += (known.empty() ? "" : ", ") + g;
        throw Error("gallery '" + gallery + "' does not exist in workspace " + workspace.dir() +
                    (known.empty() ? std::string("; create it with xbt index") : "; galleries: " + known));
    }
    return GalleryStore::open(galleryFiles(workspace.galleryDir(gallery)).database, GalleryStore::Mode::ReadOnly);
}

}  // namespace

GallerySearch::GallerySearch(const Workspace& workspace, const std::string& gallery)
{
    GalleryStore store = openStore(workspace, gallery);
    const GalleryFiles files = galleryFiles(workspace.galleryDir(gallery));
    const int64_t generation = store.generation();
    GalleryIndex images = GalleryIndex::loadOrBuild(imageIndexConfig(files, store.settings()), generation,
                                                    [&] { return store.imageVectors(); });
    GalleryIndex captions = GalleryIndex::loadOrBuild(captionIndexConfig(files, store.settings()), generation,
                                                      [&] { return store.captionVectors(); });
    impl_.reset(new Impl{gallery, std::move(store), std::move(images), std::move(captions)});
}

GallerySearch::~GallerySearch() = default;

const GallerySettings& GallerySearch::settings() const { return impl_->store.settings(); }
const IndexBuildReport& GallerySearch::imageIndexReport() const { return impl_->images.report(); }

SearchResults GallerySearch::byVector(const std::vector<float>& query, const QuerySpace& space,
                                      const SearchOptions& options) const
{
    const GallerySettings& s = settings();
    // The space the query lives in: its model's, or through an adapter the target model's.
    const std::string& queryFingerprint = space.adapterTarget.empty() ? space.modelFingerprint : space.adapterTarget;
    const std::string adapted =
        space.adapterTarget.empty() ? std::string()
                                    : " mapped into the space of fingerprint " + fingerprintPrefix(space.adapterTarget);
    if (static_cast<int>(query.size()) != s.embeddingDim)
        throw Error("the query was embedded by model " + space.modelName + " (fingerprint " +
                    fingerprintPrefix(space.modelFingerprint) + ", " + std::to_string(query.size()) +
                    " dimensions" + adapted + "), gallery '" + impl_->name + "' holds embeddings of model " +
                    s.modelName +
                    " (fingerprint " + fingerprintPrefix(s.modelFingerprint) + ", " + std::to_string(s.embeddingDim) +
                    " dimensions): they cannot be compared at all; search with " + s.modelName);
    if (!allFinite(query.data(), static_cast<int64_t>(query.size())))
        throw Error("the query's embedding holds NaN or infinite values (model " + space.modelName +
                    "); check the model and its normalisation settings");
    SearchResults out;
    out.gallery = impl_->name;
    out.root = s.root;
    out.target = options.target;
    if (queryFingerprint != s.modelFingerprint) {
        if (!options.allowIncompatible)
            throw Error("the query was embedded by model " + space.modelName + " (fingerprint " +
                        fingerprintPrefix(space.modelFingerprint) + adapted + "), gallery '" + impl_->name +
                        "' holds embeddings of model " + s.modelName + " (fingerprint " +
                        fingerprintPrefix(s.modelFingerprint) +
                        "): the scores would be meaningless. Search with " + s.modelName +
                        ", or pass --allow-incompatible to compare anyway");
        out.incompatibleComparison = true;
    }
    const GalleryIndex& index = options.target == SearchTarget::Images ? impl_->images : impl_->captions;
    int rank = 0;
    for (const IndexHit& h : index.search(query.data(), options.k)) {
        SearchHit hit;
        hit.rank = ++rank;
        hit.id = h.id;
        hit.score = h.score;
        hit.itemId = h.id;
        if (options.target == SearchTarget::Captions) {
            const auto c = impl_->store.caption(h.id);
            if (!c)
                continue;  // deleted by a concurrent indexer since the index was read
            hit.caption = c->text;
            hit.itemId = c->itemId;
        }
        const auto item = impl_->store.item(hit.itemId);
        if (!item)
            continue;
        hit.path = item->path;
        hit.contentHash = item->contentHash;
        out.hits.push_back(std::move(hit));
    }
    for (size_t i = 0; i < out.hits.size(); ++i)
        out.hits[i].rank = static_cast<int>(i) + 1;
    return out;
}

SearchResults GallerySearch::byText(EmbeddingModel& model, const std::string& text, const SearchOptions& options) const
{
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw Error("the text query is empty");
    const Matrix m = BatchEmbedder(model, {1, 1}).embedTexts({text});
    return byVector(std::vector<float>(m.row(0), m.row(0) + m.cols), modelSpace(model.info()), options);
}

SearchResults GallerySearch::byImage(EmbeddingModel& model, const std::string& imagePath,
                                     const SearchOptions& options) const
{
    BatchEmbedder embedder(model, {1, 1});
    const ImageEmbedResult r = embedder.embedImages({{imagePath, imagePath}});
    if (!r.failures.empty())
        throw Error("query image " + r.failures.front().reason);
    return byVector(std::vector<float>(r.embeddings.row(0), r.embeddings.row(0) + r.embeddings.cols),
                    modelSpace(model.info()), options);
}

}  // namespace xbt

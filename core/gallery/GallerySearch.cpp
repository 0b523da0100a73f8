#include "core/gallery/GallerySearch.h"

#include "core/embed/BatchEmbedder.h"
#include "core/gallery/GalleryFiles.h"
#include "core/gallery/GalleryStore.h"
#include "core/workspace/Workspace.h"
#include "core/util/Error.h"

#include <algorithm>
#include <unordered_set>

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
    for (const IndexHit& h : index.search(query.data(), options.k)) {
        SearchHit hit;
        if (describeHit(h.id, h.score, options.target, hit))
            out.hits.push_back(std::move(hit));
    }
    for (size_t i = 0; i < out.hits.size(); ++i)
        out.hits[i].rank = static_cast<int>(i) + 1;
    return out;
}

bool GallerySearch::describeHit(int64_t id, float score, SearchTarget target, SearchHit& hit) const
{
    hit.id = id;
    hit.score = score;
    hit.itemId = id;
    if (target == SearchTarget::Captions) {
        const auto c = impl_->store.caption(id);
        if (!c)
            return false;  // deleted by a concurrent indexer since the index was read
        hit.caption = c->text;
        hit.itemId = c->itemId;
    }
    const auto item = impl_->store.item(hit.itemId);
    if (!item)
        return false;
    hit.path = item->path;
    hit.contentHash = item->contentHash;
    return true;
}

void GallerySearch::requireNewModelStore(const ModelInfo& newModel) const
{
    const std::optional<SecondSpace> second = impl_->store.secondSpace();
    if (!second || second->retired || second->modelFingerprint != newModel.fingerprint)
        throw Error("gallery '" + impl_->name + "' has no new-model store of " + newModel.name +
                    (second ? " (it holds " + second->modelName + (second->retired ? ", retired" : "") + ")" : "") +
                    ": backfill some of it first (xbt backfill --gallery " + impl_->name + " --model " +
                    newModel.name + ")");
}

SearchResults GallerySearch::byVectorMixed(const std::vector<float>& query, const QuerySpace& space,
                                           const std::vector<float>& newQuery, const ModelInfo& newModel,
                                           const SearchOptions& options, const MixedScoring& scoring) const
{
    requireNewModelStore(newModel);
    const SecondSpace second = *impl_->store.secondSpace();
    if (static_cast<int>(newQuery.size()) != second.embeddingDim)
        throw Error("the new-model query has " + std::to_string(newQuery.size()) + " values, the new-model store " +
                    std::to_string(second.embeddingDim));
    const StoredVectors fresh = options.target == SearchTarget::Images ? impl_->store.secondSpaceImageVectors()
                                                                       : impl_->store.secondSpaceCaptionVectors();
    const GalleryIndex& index = options.target == SearchTarget::Images ? impl_->images : impl_->captions;
    // Deep enough that the k best not-backfilled items are among the first stage's hits.
    SearchOptions deeper = options;
    deeper.k = std::min<int64_t>(index.size(), options.k + fresh.vectors.rows);
    SearchResults out = byVector(query, space, deeper);
    std::unordered_set<int64_t> isFresh(fresh.ids.begin(), fresh.ids.end());
    std::vector<SearchHit> hits;
    for (SearchHit& h : out.hits)
        if (!isFresh.count(h.id))
            hits.push_back(std::move(h));
    for (int64_t r = 0; r < fresh.vectors.rows; ++r) {
        double dot = 0.0;
        const float* v = fresh.vectors.row(r);
        for (int64_t d = 0; d < fresh.vectors.cols; ++d)
            dot += static_cast<double>(v[d]) * newQuery[static_cast<size_t>(d)];
        SearchHit hit;
        if (describeHit(fresh.ids[static_cast<size_t>(r)], static_cast<float>(dot), options.target, hit)) {
            hit.backfilled = true;
            hits.push_back(std::move(hit));
        }
    }
    const auto rankingScore = [&](const SearchHit& h) {
        return h.backfilled ? scoring.newScale * h.score + scoring.newBias : static_cast<double>(h.score);
    };
    std::stable_sort(hits.begin(), hits.end(),
                     [&](const SearchHit& a, const SearchHit& b) { return rankingScore(a) > rankingScore(b); });
    if (static_cast<int64_t>(hits.size()) > options.k)
        hits.resize(static_cast<size_t>(options.k));
    for (size_t i = 0; i < hits.size(); ++i)
        hits[i].rank = static_cast<int>(i) + 1;
    out.hits = std::move(hits);
    out.mixing = scoring.description;
    out.backfilledItems = fresh.vectors.rows;
    out.galleryItems = index.size();
    out.newModel = newModel.name;
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

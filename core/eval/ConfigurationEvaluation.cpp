#include "core/eval/ConfigurationEvaluation.h"

#include "core/util/Error.h"

namespace xbt {

const char* roleName(ConfigurationRole role)
{
    switch (role) {
    case ConfigurationRole::Today: return "today";
    case ConfigurationRole::Backfill: return "backfill";
    case ConfigurationRole::Raw: return "raw";
    case ConfigurationRole::Adapter: return "adapter";
    case ConfigurationRole::GalleryTransform: return "gallery-transform";
    case ConfigurationRole::Compatible: return "compatible";
    case ConfigurationRole::Compared: return "compared";
    case ConfigurationRole::Ceiling: return "ceiling";
    case ConfigurationRole::Rerank: return "rerank";
    case ConfigurationRole::Other: return "other";
    }
    return "other";
}

double ConfigurationResult::rsum() const
{
    double sum = 0.0;
    if (hasTextToImage)
        sum += textToImage.r1 + textToImage.r5 + textToImage.r10;
    if (hasImageToText)
        sum += imageToText.r1 + imageToText.r5 + imageToText.r10;
    return 100.0 * sum;
}

bool ConfigurationResult::has(RetrievalDirection d) const
{
    return d == RetrievalDirection::TextToImage ? hasTextToImage : hasImageToText;
}

const RecallSummary& ConfigurationResult::summary(RetrievalDirection d) const
{
    return d == RetrievalDirection::TextToImage ? textToImage : imageToText;
}

const std::map<std::string, RecallSummary>& ConfigurationResult::byCategory(RetrievalDirection d) const
{
    return d == RetrievalDirection::TextToImage ? textToImageByCategory : imageToTextByCategory;
}

std::string roleDescription(const ConfigurationResult& c)
{
    switch (c.role) {
    case ConfigurationRole::Today: return "today's system";
    case ConfigurationRole::Backfill: return "full backfill";
    case ConfigurationRole::Raw: return "new model, no adapter";
    case ConfigurationRole::Adapter: return "adapter '" + c.adapter + "'";
    case ConfigurationRole::GalleryTransform: return "gallery transform '" + c.adapter + "'";
    case ConfigurationRole::Compatible: return "the compatible model '" + c.adapter + "'";
    case ConfigurationRole::Compared: return "compared model '" + c.querySpace + "', full backfill";
    case ConfigurationRole::Ceiling:
        return "diagnostic ceiling, not a method: a query map fitted on this split's own pairs";
    case ConfigurationRole::Rerank:
        return "adapter '" + c.adapter + "', its top " + std::to_string(c.rerankK) + " re-scored by the new model";
    case ConfigurationRole::Other: break;
    }
    return roleName(c.role);
}

EmbeddingSpace oldComparablePart(const EmbeddingSpace& space)
{
    if (space.compatibleWith.empty())
        return space;
    EmbeddingSpace part = space;
    part.fingerprint = space.compatibleWith;
    if (space.comparableDims > 0) {
        const auto cut = [&](const Matrix& m) {
            if (m.rows == 0)
                return m;
            if (m.cols < space.comparableDims)
                throw Error(space.name + " embeddings have " + std::to_string(m.cols) + " values, fewer than the " +
                            std::to_string(space.comparableDims) + " declared comparable with the old model");
            Matrix c = m.leadingColumns(space.comparableDims);
            normalizeRows(c);
            return c;
        };
        part.images = cut(space.images);
        part.texts = cut(space.texts);
    }
    return part;
}

namespace {

// Rows of `ranks` (one per query) belonging to each category.
template <typename Summaries>
void summarizeByCategory(const std::vector<int64_t>& ranks, const std::vector<std::string>& categoryOfQuery,
                         const std::vector<std::string>& categories, const BootstrapOptions& bootstrap, Summaries& out)
{
    for (const std::string& category : categories) {
        std::vector<size_t> rows;
        for (size_t q = 0; q < categoryOfQuery.size(); ++q)
            if (categoryOfQuery[q] == category)
                rows.push_back(q);
        out[category] = summarizeRanks(ranks, &rows, bootstrap);
    }
}

}  // namespace

ConfigurationResult evaluateConfiguration(const EmbeddingSpace& query, const EmbeddingSpace& gallery,
                                          const CaptionedSplit& split, int maxK, const BootstrapOptions& bootstrap)
{
    ConfigurationResult r;
    r.name = query.name + "->" + gallery.name;
    r.querySpace = query.name;
    r.gallerySpace = gallery.name;
    r.incompatibleComparison = query.fingerprint != gallery.fingerprint;
    if (query.dims() != gallery.dims()) {
        r.comparable = false;
        r.note = "not comparable: " + query.name + " embeddings have " + std::to_string(query.dims()) +
                 " dimensions, " + gallery.name + " embeddings " + std::to_string(gallery.dims()) +
                 "; raw vectors of different sizes cannot be compared (an adapter is needed)";
        return r;
    }
    if (r.incompatibleComparison)
        r.note = "incompatible comparison: " + query.model + " queries against " + gallery.model +
                 " embeddings without an adapter";
    r.hasTextToImage = query.texts.rows > 0 && gallery.images.rows > 0;
    r.hasImageToText = query.images.rows > 0 && gallery.texts.rows > 0;
    if (!r.hasTextToImage && !r.hasImageToText)
        throw Error("configuration " + r.name + ": neither text queries against images nor image queries against " +
                    "texts are available");
    // A missing side is stood in for by its counterpart so that one call
    // computes whichever direction exists; the stand-in's ranks are dropped.
    const Matrix& queryTexts = r.hasTextToImage ? query.texts : gallery.texts;
    const Matrix& galleryImages = r.hasTextToImage ? gallery.images : query.images;
    const Matrix& queryImages = r.hasImageToText ? query.images : galleryImages;
    const Matrix& galleryTexts = r.hasImageToText ? gallery.texts : queryTexts;
    r.recall = computeCrossRecall(queryTexts, galleryImages, queryImages, galleryTexts, split.captionImage, maxK);
    if (r.hasTextToImage)
        r.textToImage = summarizeRanks(r.recall.textToImage.ranks, nullptr, bootstrap);
    else
        r.recall.textToImage = {};
    if (r.hasImageToText)
        r.imageToText = summarizeRanks(r.recall.imageToText.ranks, nullptr, bootstrap);
    else
        r.recall.imageToText = {};
    if (!split.hasCategories())
        return r;
    const std::vector<std::string> categories = split.categories();
    if (r.hasTextToImage)
        summarizeByCategory(r.recall.textToImage.ranks, split.captionCategory, categories, bootstrap,
                            r.textToImageByCategory);
    // Images without captions are not I2T queries; their rows would not line up.
    if (r.hasImageToText && r.recall.imageToText.ranks.size() == split.images.size())
        summarizeByCategory(r.recall.imageToText.ranks, split.imageCategory, categories, bootstrap,
                            r.imageToTextByCategory);
    return r;
}

}  // namespace xbt

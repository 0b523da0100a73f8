#include "core/eval/ConfigurationEvaluation.h"

#include "core/util/Error.h"

namespace xbt {

ConfigurationResult evaluateConfiguration(const EmbeddingSpace& query, const EmbeddingSpace& gallery,
                                          const CaptionedSplit& split, int maxK)
{
    ConfigurationResult r;
    r.name = query.name + "->" + gallery.name;
    r.querySpace = query.name;
    r.gallerySpace = gallery.name;
    r.incompatibleComparison = query.fingerprint != gallery.fingerprint;
    if (query.images.cols != gallery.images.cols) {
        r.comparable = false;
        r.note = "not comparable: " + query.name + " embeddings have " + std::to_string(query.images.cols) +
                 " dimensions, " + gallery.name + " embeddings " + std::to_string(gallery.images.cols) +
                 "; raw vectors of different sizes cannot be compared (an adapter is needed)";
        return r;
    }
    if (r.incompatibleComparison)
        r.note = "incompatible comparison: " + query.model + " queries against " + gallery.model +
                 " embeddings without an adapter";
    r.recall = computeCrossRecall(query.texts, gallery.images, query.images, gallery.texts, split.captionImage, maxK);
    r.textToImage = summarizeRanks(r.recall.textToImage.ranks);
    r.imageToText = summarizeRanks(r.recall.imageToText.ranks);
    if (static_cast<int64_t>(r.recall.imageToText.ranks.size()) != static_cast<int64_t>(split.images.size()))
        return r;  // some images have no caption: per-category I2T rows would not line up
    for (const std::string& category : split.categories()) {
        std::vector<size_t> texts, images;
        for (size_t t = 0; t < split.captionCategory.size(); ++t)
            if (split.captionCategory[t] == category)
                texts.push_back(t);
        for (size_t i = 0; i < split.imageCategory.size(); ++i)
            if (split.imageCategory[i] == category)
                images.push_back(i);
        r.textToImageByCategory[category] = summarizeRanks(r.recall.textToImage.ranks, &texts);
        r.imageToTextByCategory[category] = summarizeRanks(r.recall.imageToText.ranks, &images);
    }
    return r;
}

}  // namespace xbt

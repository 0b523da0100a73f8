#include "core/adapt/training/TrainingData.h"

#include "core/train/TrainingSchedule.h"
#include "core/util/Error.h"

#include <algorithm>

namespace xbt {

AlignedSplit alignSplit(const CaptionedSplit& split, const std::vector<const SplitEmbeddings*>& models)
{
    // rowOf[m][i]: model m's image row of split image i, or -1.
    std::vector<std::vector<int64_t>> rowOf(models.size(), std::vector<int64_t>(split.images.size(), -1));
    for (size_t m = 0; m < models.size(); ++m)
        for (size_t r = 0; r < models[m]->embeddedImages.size(); ++r)
            rowOf[m][models[m]->embeddedImages[r]] = static_cast<int64_t>(r);
    std::vector<size_t> kept;
    for (size_t i = 0; i < split.images.size(); ++i)
        if (std::all_of(rowOf.begin(), rowOf.end(), [&](const std::vector<int64_t>& rows) { return rows[i] >= 0; }))
            kept.push_back(i);
    if (kept.empty())
        throw Error(split.root + ": no image of the split could be embedded by every model");
    std::vector<int64_t> captionRows;
    for (size_t t = 0; t < split.captions.size(); ++t)
        if (std::binary_search(kept.begin(), kept.end(), static_cast<size_t>(split.captionImage[t])))
            captionRows.push_back(static_cast<int64_t>(t));
    AlignedSplit out;
    out.split = kept.size() == split.images.size() ? split : split.subset(kept);
    for (size_t m = 0; m < models.size(); ++m) {
        std::vector<int64_t> imageRows;
        for (size_t i : kept)
            imageRows.push_back(rowOf[m][i]);
        out.images.push_back(models[m]->images.selectRows(imageRows));
        out.texts.push_back(models[m]->texts.selectRows(captionRows));
    }
    return out;
}

std::vector<std::vector<int64_t>> captionsOfImages(const CaptionedSplit& split)
{
    std::vector<std::vector<int64_t>> out(split.images.size());
    for (size_t t = 0; t < split.captionImage.size(); ++t)
        out[static_cast<size_t>(split.captionImage[t])].push_back(static_cast<int64_t>(t));
    for (size_t i = 0; i < out.size(); ++i)
        if (out[i].empty())
            throw Error(split.root + ": image " + split.images[i] + " has no caption in captions.tsv");
    return out;
}

SentenceHoldOut holdOutSentences(int64_t n, int64_t heldOut, uint64_t seed)
{
    SentenceHoldOut out;
    // Keep at least 90% of the corpus for training; fewer than 10 held-out
    // sentences would measure nothing.
    int64_t k = std::min(heldOut, n / 10);
    if (k < 10)
        k = 0;
    std::vector<int64_t> order = epochOrder(seed, -1, n);
    out.heldOut.assign(order.begin(), order.begin() + k);
    out.train.assign(order.begin() + k, order.end());
    std::sort(out.heldOut.begin(), out.heldOut.end());
    std::sort(out.train.begin(), out.train.end());
    return out;
}

}  // namespace xbt

#include "core/eval/RetrievalRecall.h"

#include "core/util/Error.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace xbt {

const char* directionKey(RetrievalDirection d)
{
    return d == RetrievalDirection::TextToImage ? "text_to_image" : "image_to_text";
}

const DirectionRecall& RetrievalRecall::in(RetrievalDirection d) const
{
    return d == RetrievalDirection::TextToImage ? textToImage : imageToText;
}

double RecallSummary::recallAt(int k) const
{
    switch (k) {
    case 1: return r1;
    case 5: return r5;
    case 10: return r10;
    }
    throw Error("a recall summary keeps R@1, R@5 and R@10, not R@" + std::to_string(k));
}

const Interval& RecallSummary::intervalAt(int k) const
{
    switch (k) {
    case 1: return ci1;
    case 5: return ci5;
    case 10: return ci10;
    }
    throw Error("a recall summary keeps intervals of R@1, R@5 and R@10, not R@" + std::to_string(k));
}

double DirectionRecall::recallAt(int k) const
{
    if (curve.empty() || k < 1)
        return 0.0;
    return curve[static_cast<size_t>(std::min<int>(k, static_cast<int>(curve.size())) - 1)];
}

double DirectionRecall::meanRank() const
{
    if (ranks.empty())
        return 0.0;
    double sum = 0;
    for (int64_t r : ranks)
        sum += static_cast<double>(r);
    return sum / static_cast<double>(ranks.size());
}

double DirectionRecall::medianRank() const
{
    if (ranks.empty())
        return 0.0;
    std::vector<int64_t> sorted = ranks;
    std::sort(sorted.begin(), sorted.end());
    const size_t n = sorted.size();
    return n % 2 ? static_cast<double>(sorted[n / 2]) : 0.5 * static_cast<double>(sorted[n / 2 - 1] + sorted[n / 2]);
}

Matrix innerProducts(const Matrix& queries, const Matrix& gallery)
{
    if (queries.cols != gallery.cols)
        throw Error("cannot compare embeddings of different sizes: queries have " + std::to_string(queries.cols) +
                    " dimensions, the gallery " + std::to_string(gallery.cols));
    Matrix out(queries.rows, gallery.rows);
    if (queries.rows == 0 || gallery.rows == 0 || queries.cols == 0)
        return out;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(queries.rows), static_cast<int>(gallery.rows),
                static_cast<int>(queries.cols), 1.0f, queries.data.data(), static_cast<int>(queries.cols),
                gallery.data.data(), static_cast<int>(gallery.cols), 0.0f, out.data.data(), static_cast<int>(gallery.rows));
    return out;
}

const char* const kTieRuleDescription =
    "pessimistic: an item ranks after every other item scoring greater than or equal to it (scores within 1e-5 "
    "count as equal: float rounding)";

std::vector<int64_t> pessimisticRanks(const Matrix& scores, const std::vector<std::vector<int64_t>>& relevant)
{
    std::vector<int64_t> ranks(static_cast<size_t>(scores.rows));
    std::vector<char> isRelevant(static_cast<size_t>(scores.cols), 0);
    for (int64_t q = 0; q < scores.rows; ++q) {
        const auto& rel = relevant[static_cast<size_t>(q)];
        if (rel.empty())
            throw Error("query " + std::to_string(q) + " has no relevant item");
        const float* s = scores.row(q);
        float best = s[rel.front()];
        for (int64_t g : rel) {
            best = std::max(best, s[g]);
            isRelevant[static_cast<size_t>(g)] = 1;
        }
        // Anything within the tie tolerance of the best relevant score is tied with it.
        const float bar = static_cast<float>(best - kTieTolerance * std::max(1.0, std::fabs(static_cast<double>(best))));
        int64_t ahead = 0;
        for (int64_t g = 0; g < scores.cols; ++g)
            if (!isRelevant[static_cast<size_t>(g)] && s[g] >= bar)
                ++ahead;
        // Relevant items tied with the best one do not push it down: any of
        // them found at that rank is a hit.
        ranks[static_cast<size_t>(q)] = ahead + 1;
        for (int64_t g : rel)
            isRelevant[static_cast<size_t>(g)] = 0;
    }
    return ranks;
}

DirectionRecall recallFromRanks(std::vector<int64_t> ranks, int64_t gallerySize, int maxK)
{
    DirectionRecall d;
    const int k = static_cast<int>(std::min<int64_t>(maxK, gallerySize));
    std::vector<int64_t> hitsAt(static_cast<size_t>(k) + 1, 0);
    for (int64_t r : ranks)
        if (r <= k)
            ++hitsAt[static_cast<size_t>(r)];
    d.curve.resize(static_cast<size_t>(k));
    int64_t cumulative = 0;
    for (int i = 1; i <= k; ++i) {
        cumulative += hitsAt[static_cast<size_t>(i)];
        d.curve[static_cast<size_t>(i - 1)] = ranks.empty() ? 0.0 : static_cast<double>(cumulative) / ranks.size();
    }
    d.ranks = std::move(ranks);
    return d;
}

RetrievalRecall computeRetrievalRecall(const Matrix& images, const Matrix& texts,
                                       const std::vector<int64_t>& textToImage, int maxK)
{
    return computeCrossRecall(texts, images, images, texts, textToImage, maxK);
}

RecallSummary summarizeRanks(const std::vector<int64_t>& ranks, const std::vector<size_t>* subset,
                             const BootstrapOptions& bootstrap)
{
    std::vector<int64_t> picked;
    if (subset) {
        for (size_t i : *subset)
            picked.push_back(ranks[i]);
    }
    const std::vector<int64_t>& r = subset ? picked : ranks;
    RecallSummary s;
    s.queries = static_cast<int64_t>(r.size());
    if (r.empty())
        return s;
    DirectionRecall d;
    d.ranks = r;
    for (int64_t rank : r) {
        s.r1 += rank <= 1;
        s.r5 += rank <= 5;
        s.r10 += rank <= 10;
    }
    const double n = static_cast<double>(r.size());
    s.r1 /= n;
    s.r5 /= n;
    s.r10 /= n;
    s.meanRank = d.meanRank();
    s.medianRank = d.medianRank();
    const std::vector<Interval> ci = bootstrapRecallIntervals(r, {1, 5, 10}, bootstrap);
    s.ci1 = ci[0];
    s.ci5 = ci[1];
    s.ci10 = ci[2];
    return s;
}

RetrievalRecall computeCrossRecall(const Matrix& queryTexts, const Matrix& galleryImages, const Matrix& queryImages,
                                   const Matrix& galleryTexts, const std::vector<int64_t>& textToImage, int maxK)
{
    const Matrix& texts = queryTexts;
    const Matrix& images = galleryImages;
    if (texts.rows == 0 || images.rows == 0)
        throw Error("recall needs at least one image and one text");
    if (queryImages.rows != images.rows || galleryTexts.rows != texts.rows)
        throw Error("query and gallery embeddings must cover the same images and texts");
    if (static_cast<int64_t>(textToImage.size()) != texts.rows)
        throw Error("ground truth lists " + std::to_string(textToImage.size()) + " texts, but there are " +
                    std::to_string(texts.rows) + " text embeddings");
    std::vector<std::vector<int64_t>> imageOfText(textToImage.size());
    std::vector<std::vector<int64_t>> textsOfImage(static_cast<size_t>(images.rows));
    for (size_t t = 0; t < textToImage.size(); ++t) {
        const int64_t i = textToImage[t];
        if (i < 0 || i >= images.rows)
            throw Error("ground truth: text " + std::to_string(t) + " points to image " + std::to_string(i) +
                        ", outside 0.." + std::to_string(images.rows - 1));
        imageOfText[t] = {i};
        textsOfImage[static_cast<size_t>(i)].push_back(static_cast<int64_t>(t));
    }
    RetrievalRecall r;
    r.textToImage = recallFromRanks(pessimisticRanks(innerProducts(queryTexts, galleryImages), imageOfText), images.rows, maxK);
    // Images without any caption cannot be scored as I2T queries.
    std::vector<int64_t> imageQueries;
    std::vector<std::vector<int64_t>> relevant;
    for (int64_t i = 0; i < images.rows; ++i) {
        if (textsOfImage[static_cast<size_t>(i)].empty())
            continue;
        imageQueries.push_back(i);
        relevant.push_back(textsOfImage[static_cast<size_t>(i)]);
    }
    r.imageToText = recallFromRanks(pessimisticRanks(innerProducts(queryImages.selectRows(imageQueries), galleryTexts), relevant),
                              texts.rows, maxK);
    return r;
}

}  // namespace xbt

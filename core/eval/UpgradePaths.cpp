#include "core/eval/UpgradePaths.h"

#include "core/util/Error.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <tuple>
#include <utility>

namespace xbt {

const char* backfillOrderName(BackfillOrder o)
{
    switch (o) {
    case BackfillOrder::Random: return "random";
    case BackfillOrder::Crowding: return "uncertainty";
    case BackfillOrder::Queries: return "queries";
    }
    return "?";
}

TwoSpaceScores twoSpaceScores(RetrievalDirection d, const EmbeddingSpace& adapted, const EmbeddingSpace& old,
                              const EmbeddingSpace& fresh, const CaptionedSplit& split)
{
    TwoSpaceScores s;
    const int64_t images = static_cast<int64_t>(split.images.size());
    if (d == RetrievalDirection::TextToImage) {
        s.firstStage = innerProducts(adapted.texts, old.images);
        s.newSpace = innerProducts(fresh.texts, fresh.images);
        for (int64_t image : split.captionImage)
            s.relevant.push_back({image});
        s.imageOfItem.resize(static_cast<size_t>(images));
        std::iota(s.imageOfItem.begin(), s.imageOfItem.end(), int64_t(0));
        return s;
    }
    std::vector<std::vector<int64_t>> captionsOf(static_cast<size_t>(images));
    for (size_t t = 0; t < split.captionImage.size(); ++t)
        captionsOf[static_cast<size_t>(split.captionImage[t])].push_back(static_cast<int64_t>(t));
    std::vector<int64_t> queries;
    for (int64_t i = 0; i < images; ++i)
        if (!captionsOf[static_cast<size_t>(i)].empty()) {
            queries.push_back(i);
            s.relevant.push_back(captionsOf[static_cast<size_t>(i)]);
        }
    s.firstStage = innerProducts(adapted.images.selectRows(queries), old.texts);
    s.newSpace = innerProducts(fresh.images.selectRows(queries), fresh.texts);
    s.imageOfItem = split.captionImage;
    return s;
}

namespace {

// The k highest-scoring columns of a row (ties: lower column first).
std::vector<int64_t> topK(const float* row, int64_t n, int k)
{
    std::vector<int64_t> idx(static_cast<size_t>(n));
    std::iota(idx.begin(), idx.end(), int64_t(0));
    const int64_t kk = std::min<int64_t>(k, n);
    std::partial_sort(idx.begin(), idx.begin() + kk, idx.end(),
                      [&](int64_t a, int64_t b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
    idx.resize(static_cast<size_t>(kk));
    return idx;
}

}  // namespace

std::vector<int64_t> rerankedRanks(const TwoSpaceScores& s, int k)
{
    // Pessimistic, as everywhere: a relevant candidate ranks after every
    // other candidate whose new score is at least its own; a relevant item
    // outside the candidates keeps its first-stage rank, below all of them.
    const std::vector<int64_t> first = pessimisticRanks(s.firstStage, s.relevant);
    std::vector<int64_t> ranks(first.size());
    std::vector<char> isRelevant(static_cast<size_t>(s.firstStage.cols), 0);
    for (int64_t q = 0; q < s.firstStage.rows; ++q) {
        const std::vector<int64_t>& relevant = s.relevant[static_cast<size_t>(q)];
        for (int64_t g : relevant)
            isRelevant[static_cast<size_t>(g)] = 1;
        const std::vector<int64_t> candidates = topK(s.firstStage.row(q), s.firstStage.cols, k);
        bool found = false;
        float best = 0.0f;
        for (int64_t g : candidates)
            if (isRelevant[static_cast<size_t>(g)] && (!found || s.newSpace.at(q, g) > best)) {
                best = s.newSpace.at(q, g);
                found = true;
            }
        if (found) {
            int64_t ahead = 0;
            for (int64_t g : candidates)
                if (!isRelevant[static_cast<size_t>(g)] && s.newSpace.at(q, g) >= best)
                    ++ahead;
            ranks[static_cast<size_t>(q)] = ahead + 1;
        } else {
            ranks[static_cast<size_t>(q)] =
                std::max<int64_t>(first[static_cast<size_t>(q)], static_cast<int64_t>(candidates.size()) + 1);
        }
        for (int64_t g : relevant)
            isRelevant[static_cast<size_t>(g)] = 0;
    }
    return ranks;
}

int64_t rerankedImages(const TwoSpaceScores& s, int k)
{
    std::vector<char> seen(s.imageOfItem.empty() ? 0 : static_cast<size_t>(*std::max_element(s.imageOfItem.begin(),
                                                                                            s.imageOfItem.end()) + 1),
                           0);
    const bool itemsAreImages = s.imageOfItem.size() == static_cast<size_t>(s.firstStage.cols) &&
                                std::is_sorted(s.imageOfItem.begin(), s.imageOfItem.end()) &&
                                static_cast<int64_t>(seen.size()) == s.firstStage.cols;
    if (!itemsAreImages)
        return 0;  // image-to-text re-ranks captions: texts, no image is re-embedded
    int64_t count = 0;
    for (int64_t q = 0; q < s.firstStage.rows; ++q)
        for (int64_t g : topK(s.firstStage.row(q), s.firstStage.cols, k))
            if (!seen[static_cast<size_t>(g)]) {
                seen[static_cast<size_t>(g)] = 1;
                ++count;
            }
    return count;
}

namespace {

// R@1 + R@5 + R@10 (as fractions) of pessimistic ranks.
double recallSum(const std::vector<int64_t>& ranks)
{
    if (ranks.empty())
        return 0.0;
    int64_t hits = 0;
    for (int64_t r : ranks)
        hits += (r <= 1) + (r <= 5) + (r <= 10);
    return static_cast<double>(hits) / static_cast<double>(ranks.size());
}

}  // namespace

ScoreCalibration fitScoreCalibration(const TwoSpaceScores& validation, uint64_t seed)
{
    // What mixing needs is a ranking across the two spaces, not a
    // probability per item: a relevant backfilled item must beat the
    // adapter's irrelevant candidates and vice versa. So the new space's
    // cosine is mapped to scale * cosine + bias (the first stage's stays as
    // it is: only the relative placement matters), with the pair that
    // maximises the mixed search's recall (R@1 + R@5 + R@10) on these
    // validation queries, averaged over random backfills of 10, 25, 50 and
    // 75% of the images. Raw mixing (1, 0) is on the grid and wins ties, so
    // the fit is never worse than raw on the validation split.
    const int64_t images = validation.imageOfItem.empty()
                               ? 0
                               : *std::max_element(validation.imageOfItem.begin(), validation.imageOfItem.end()) + 1;
    std::vector<std::vector<char>> backfills;
    std::mt19937_64 rng(seed);
    for (const double fraction : {0.1, 0.25, 0.5, 0.75}) {
        std::vector<int64_t> order(static_cast<size_t>(images));
        std::iota(order.begin(), order.end(), int64_t(0));
        std::shuffle(order.begin(), order.end(), rng);
        std::vector<char> backfilled(static_cast<size_t>(images), 0);
        const auto count = static_cast<int64_t>(std::llround(fraction * static_cast<double>(images)));
        for (int64_t i = 0; i < count; ++i)
            backfilled[static_cast<size_t>(order[static_cast<size_t>(i)])] = 1;
        backfills.push_back(std::move(backfilled));
    }
    const auto objective = [&](double scale, double bias) {
        ScoreCalibration c;
        c.newScale = scale;
        c.newBias = bias;
        double sum = 0.0;
        for (const std::vector<char>& b : backfills)
            sum += recallSum(mixedRanks(validation, b, c));
        return sum / static_cast<double>(backfills.size());
    };
    ScoreCalibration best;
    double bestScore = objective(1.0, 0.0);
    const auto consider = [&](double scale, double bias) {
        const double score = objective(scale, bias);
        if (score > bestScore + 1e-12) {
            bestScore = score;
            best.newScale = scale;
            best.newBias = bias;
        }
    };
    // Coarse grid, then the bias refined around the best pair.
    // (Cosines lie in [-1, 1], so biases beyond +-1 only reorder nothing or
    // put one space entirely above the other.)
    for (const double scale : {0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0})
        for (int b = -20; b <= 20; ++b)
            consider(scale, 0.05 * b);
    const double coarseScale = best.newScale, coarseBias = best.newBias;
    for (int b = -4; b <= 4; ++b)
        if (b != 0)
            consider(coarseScale, coarseBias + 0.01 * b);
    best.fitted = true;
    return best;
}

std::vector<int64_t> mixedRanks(const TwoSpaceScores& s, const std::vector<char>& imageBackfilled,
                                const ScoreCalibration& calibration)
{
    const int64_t items = s.firstStage.cols;
    std::vector<char> fresh(static_cast<size_t>(items));
    for (int64_t g = 0; g < items; ++g) {
        const int64_t image = s.imageOfItem[static_cast<size_t>(g)];
        if (image < 0 || image >= static_cast<int64_t>(imageBackfilled.size()))
            throw Error("mixed search: item " + std::to_string(g) + " belongs to no known image");
        fresh[static_cast<size_t>(g)] = imageBackfilled[static_cast<size_t>(image)];
    }
    Matrix combined(s.firstStage.rows, items);
    for (int64_t q = 0; q < combined.rows; ++q)
        for (int64_t g = 0; g < items; ++g)
            combined.at(q, g) = static_cast<float>(
                fresh[static_cast<size_t>(g)] ? calibration.newScale * s.newSpace.at(q, g) + calibration.newBias
                                              : calibration.firstScale * s.firstStage.at(q, g) + calibration.firstBias);
    return pessimisticRanks(combined, s.relevant);
}

std::vector<int64_t> backfillOrder(BackfillOrder order, int64_t n, const NeighbourSearch& neighbours,
                                   const Matrix& logQueries, uint64_t seed)
{
    std::vector<int64_t> ids(static_cast<size_t>(n));
    std::iota(ids.begin(), ids.end(), int64_t(0));
    std::vector<double> key(static_cast<size_t>(n), 0.0);
    if (order == BackfillOrder::Random) {
        std::mt19937_64 rng(seed);
        std::shuffle(ids.begin(), ids.end(), rng);
        return ids;
    }
    if (order == BackfillOrder::Crowding) {
        // FastFill's idea without a trained head: an image whose old
        // embedding sits in a crowd of near neighbours is one the old space
        // cannot tell apart from others; the mean cosine to its 10 nearest
        // old neighbours scores that (no query, label or new model needed).
        for (int64_t i = 0; i < n; ++i) {
            double sum = 0.0;
            int count = 0;
            for (const Neighbour& nb : neighbours(i, -1, 11)) {
                if (nb.row == i || count == 10)
                    continue;
                sum += nb.score;
                ++count;
            }
            key[static_cast<size_t>(i)] = count > 0 ? sum / count : 0.0;
        }
    } else {
        if (logQueries.rows == 0)
            throw Error("the queries backfill order needs a query log (--queries FILE)");
        // How often, and how high, each image comes in a logged query's top
        // 10 (the sum of reciprocal ranks).
        for (int64_t q = 0; q < logQueries.rows; ++q) {
            const std::vector<Neighbour> top = neighbours(-1, q, 10);
            for (size_t r = 0; r < top.size(); ++r)
                key[static_cast<size_t>(top[r].row)] += 1.0 / static_cast<double>(r + 1);
        }
    }
    std::stable_sort(ids.begin(), ids.end(),
                     [&](int64_t a, int64_t b) { return key[static_cast<size_t>(a)] > key[static_cast<size_t>(b)]; });
    return ids;
}

std::vector<int64_t> backfillOrder(BackfillOrder order, const Matrix& oldImages, const Matrix& logQueries,
                                   uint64_t seed)
{
    const int64_t n = oldImages.rows;
    // Exact neighbours by brute force: fine for an evaluation split.
    const NeighbourSearch exact = [&](int64_t image, int64_t query, int k) {
        const float* v = image >= 0 ? oldImages.row(image) : logQueries.row(query);
        Matrix one(1, oldImages.cols);
        std::copy(v, v + oldImages.cols, one.data.begin());
        const Matrix sims = innerProducts(one, oldImages);
        std::vector<Neighbour> out;
        for (int64_t row : topK(sims.row(0), n, k))
            out.push_back({row, sims.at(0, row)});
        return out;
    };
    return backfillOrder(order, n, exact, logQueries, seed);
}

}  // namespace xbt

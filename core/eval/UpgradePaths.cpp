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

// 1-D weighted logistic regression P(relevant) = sigmoid(a s + b) by damped
// Newton steps; positives and negatives get equal total weight, and a small
// ridge on a keeps separable data (a sharp new model) finite.
std::pair<double, double> fitLogistic(const Matrix& scores, const std::vector<std::vector<int64_t>>& relevant)
{
    int64_t positives = 0;
    for (const auto& r : relevant)
        positives += static_cast<int64_t>(r.size());
    const double total = static_cast<double>(scores.rows * scores.cols);
    if (positives == 0 || positives >= total)
        return {1.0, 0.0};
    const double wPos = 0.5 / static_cast<double>(positives);
    const double wNeg = 0.5 / (total - static_cast<double>(positives));
    const double ridge = 1e-4;
    std::vector<char> isRelevant(static_cast<size_t>(scores.cols), 0);
    // Visits every (score, label, weight) once.
    const auto forEach = [&](const auto& visit) {
        for (int64_t q = 0; q < scores.rows; ++q) {
            for (int64_t g : relevant[static_cast<size_t>(q)])
                isRelevant[static_cast<size_t>(g)] = 1;
            const float* row = scores.row(q);
            for (int64_t g = 0; g < scores.cols; ++g) {
                const bool y = isRelevant[static_cast<size_t>(g)];
                visit(static_cast<double>(row[g]), y ? 1.0 : 0.0, y ? wPos : wNeg);
            }
            for (int64_t g : relevant[static_cast<size_t>(q)])
                isRelevant[static_cast<size_t>(g)] = 0;
        }
    };
    const auto loss = [&](double a, double b) {
        double l = ridge * a * a;
        forEach([&](double x, double y, double w) {
            const double z = a * x + b;
            // log(1 + e^-z) for y = 1, log(1 + e^z) for y = 0, stably
            const double m = y > 0 ? -z : z;
            l += w * (m > 0 ? m + std::log1p(std::exp(-m)) : std::log1p(std::exp(m)));
        });
        return l;
    };
    double a = 1.0, b = 0.0, current = loss(a, b);
    for (int iteration = 0; iteration < 50; ++iteration) {
        double ga = 2 * ridge * a, gb = 0, haa = 2 * ridge, hab = 0, hbb = 0;
        forEach([&](double x, double y, double w) {
            const double p = 1.0 / (1.0 + std::exp(-(a * x + b)));
            const double r = w * (p - y);
            const double h = w * p * (1.0 - p);
            ga += r * x;
            gb += r;
            haa += h * x * x;
            hab += h * x;
            hbb += h;
        });
        const double det = haa * hbb - hab * hab;
        if (!(det > 1e-300))
            break;
        const double da = (hbb * ga - hab * gb) / det;
        const double db = (haa * gb - hab * ga) / det;
        double step = 1.0, next = loss(a - da, b - db);
        while (next > current && step > 1e-4) {
            step *= 0.5;
            next = loss(a - step * da, b - step * db);
        }
        if (next > current)
            break;
        a -= step * da;
        b -= step * db;
        const bool done = current - next < 1e-12;
        current = next;
        if (done)
            break;
    }
    return {a, b};
}

}  // namespace

ScoreCalibration fitScoreCalibration(const TwoSpaceScores& validation)
{
    ScoreCalibration c;
    std::tie(c.firstScale, c.firstBias) = fitLogistic(validation.firstStage, validation.relevant);
    std::tie(c.newScale, c.newBias) = fitLogistic(validation.newSpace, validation.relevant);
    c.fitted = true;
    return c;
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

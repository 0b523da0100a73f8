// Recall@K as METHODS.md defines it, on hand-computed cases, and against a
// brute-force reference on random embeddings.
#include "core/eval/GalleryTies.h"
#include "core/eval/RetrievalRecall.h"
#include "core/util/Error.h"

#include <QtTest>

#include <cmath>

#include <random>

using namespace xbt;

namespace {

Matrix rows(std::initializer_list<std::initializer_list<float>> values)
{
    Matrix m(static_cast<int64_t>(values.size()), static_cast<int64_t>(values.begin()->size()));
    int64_t i = 0;
    for (const auto& r : values) {
        int64_t j = 0;
        for (float v : r)
            m.at(i, j++) = v;
        ++i;
    }
    return m;
}

// Straightforward reference: sort the gallery by score, worst case among ties.
int64_t bruteForceRank(const std::vector<float>& scores, const std::vector<int64_t>& relevant)
{
    int64_t best = std::numeric_limits<int64_t>::max();
    for (int64_t r : relevant) {
        int64_t ahead = 0;
        for (size_t g = 0; g < scores.size(); ++g) {
            const bool isRelevant = std::find(relevant.begin(), relevant.end(), static_cast<int64_t>(g)) != relevant.end();
            if (!isRelevant && scores[g] >= scores[static_cast<size_t>(r)])
                ++ahead;
        }
        best = std::min(best, ahead + 1);
    }
    return best;
}

}  // namespace

class TestRetrievalRecall : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void handComputedTwoImagesFourCaptions()
    {
        // Image 0 = x axis, image 1 = y axis. Captions 0,1 belong to image 0,
        // captions 2,3 to image 1. Caption 1 points at image 1 (a miss at K=1).
        const Matrix images = rows({{1, 0}, {0, 1}});
        const Matrix texts = rows({{1, 0}, {0.2f, 0.9f}, {0, 1}, {0.1f, 0.8f}});
        const RetrievalRecall r = computeRetrievalRecall(images, texts, {0, 0, 1, 1});
        QCOMPARE(r.textToImage.ranks, (std::vector<int64_t>{1, 2, 1, 1}));
        QCOMPARE(r.textToImage.curve.size(), size_t(2));  // K capped at the gallery size
        QCOMPARE(r.textToImage.recallAt(1), 0.75);
        QCOMPARE(r.textToImage.recallAt(2), 1.0);
        QCOMPARE(r.textToImage.recallAt(50), 1.0);  // K beyond the gallery: the whole gallery
        // I2T: image 0's best own caption is caption 0 (score 1) -> rank 1.
        // Image 1: own captions score 1 and 0.8; caption 1 (not its own) scores 0.9, below 1 -> rank 1.
        QCOMPARE(r.imageToText.ranks, (std::vector<int64_t>{1, 1}));
        QCOMPARE(r.textToImage.meanRank(), 1.25);
        QCOMPARE(r.textToImage.medianRank(), 1.0);
    }

    void tiesArePessimistic()
    {
        // Every image scores the same: the relevant one ranks after all others.
        const Matrix images = rows({{1, 0}, {1, 0}, {1, 0}});
        const Matrix texts = rows({{1, 0}, {1, 0}, {1, 0}});
        const RetrievalRecall r = computeRetrievalRecall(images, texts, {0, 1, 2});
        QCOMPARE(r.textToImage.ranks, (std::vector<int64_t>{3, 3, 3}));
        QCOMPARE(r.textToImage.recallAt(1), 0.0);
        QCOMPARE(r.textToImage.recallAt(3), 1.0);
        // Two captions of one image tied with each other do not push each other down.
        const RetrievalRecall own = computeRetrievalRecall(rows({{1, 0}, {0, 1}}), rows({{1, 0}, {1, 0}, {0, 1}}), {0, 0, 1});
        QCOMPARE(own.imageToText.ranks, (std::vector<int64_t>{1, 1}));
    }

    // Items equal in exact arithmetic come out of float inference a few
    // ulps apart, either way round depending on the CPU's kernels: they are
    // still ties, and a tie ranks the relevant item last.
    void roundingDoesNotBreakTies()
    {
        const float up = std::nextafter(1.0f, 2.0f);
        const float down = std::nextafter(1.0f, 0.0f);
        // Query 0's image (row 0) scores 1; image 1 scores one ulp below or above it.
        for (const float other : {up, down}) {
            const Matrix scores = rows({{1.0f, other, 0.5f}});
            QCOMPARE(pessimisticRanks(scores, {{0}}), (std::vector<int64_t>{2}));
        }
        // A difference a model really makes is not a tie.
        QCOMPARE(pessimisticRanks(rows({{1.0f, 0.999f, 0.5f}}), {{0}}), (std::vector<int64_t>{1}));
        QCOMPARE(pessimisticRanks(rows({{0.3f, 0.2999f}}), {{0}}), (std::vector<int64_t>{1}));
        // Large scores (e.g. calibrated mixing): the tolerance is relative.
        QCOMPARE(pessimisticRanks(rows({{1000.0f, std::nextafter(1000.0f, 0.0f), 999.0f}}), {{0}}),
                 (std::vector<int64_t>{2}));
    }

    // Twins: rows equal up to rounding (within the tie tolerance), not rows merely close.
    void tieBoundCountsQueriesWhoseEveryRelevantItemHasATwin()
    {
        const float up = std::nextafter(0.6f, 1.0f);
        const Matrix gallery = rows({{0.6f, 0.8f}, {up, 0.8f}, {0.8f, 0.6f}, {0.0f, 1.0f}, {0.0f, 0.9995f}});
        // Query 0: its item has a twin it does not own -> capped. Query 1:
        // owns both twins -> not capped. Query 2: no twin. Query 3: one of
        // its items (2) has no twin. Query 4: items 1e-3 apart are not twins.
        const TieBound b = tieBoundAtR1(gallery, {{0}, {0, 1}, {2}, {0, 2}, {3}});
        QCOMPARE(b.queries, int64_t(5));
        QCOMPARE(b.capped, int64_t(1));
        QCOMPARE(b.maxRecallAt1(), 0.8);
    }

    // What a user relies on: the bound bounds. An order-blind text encoder
    // stores two images' captions, made of the same words, as sums in another
    // order (a few ulps apart); whatever the image query, those images never
    // reach R@1, and the bound says so.
    void tieBoundHoldsForAnyQuery()
    {
        std::mt19937 rng(7);
        std::normal_distribution<float> normal;
        const int64_t dims = 16, images = 6;
        std::vector<std::vector<float>> words(4, std::vector<float>(dims));
        for (auto& w : words)
            for (float& x : w)
                x = normal(rng);
        // Image i's captions: the words summed in two orders; images 0 and 1
        // use the same words (a binding swap), the others random vectors.
        Matrix texts(2 * images, dims);
        std::vector<int64_t> captionImage;
        for (int64_t i = 0; i < images; ++i)
            for (int c = 0; c < 2; ++c) {
                float* row = texts.row(2 * i + c);
                if (i < 2) {
                    const bool forward = (i + c) % 2 == 0;
                    for (int w = 0; w < 4; ++w)
                        for (int64_t d = 0; d < dims; ++d)
                            row[d] += words[static_cast<size_t>(forward ? w : 3 - w)][static_cast<size_t>(d)];
                } else {
                    for (int64_t d = 0; d < dims; ++d)
                        row[d] = normal(rng);
                }
                captionImage.push_back(i);
            }
        normalizeRows(texts);
        Matrix images_(images, dims);
        for (float& x : images_.data)
            x = normal(rng);
        normalizeRows(images_);
        const GalleryTieBound bound = galleryTieBound("old", images_, texts, captionImage);
        QCOMPARE(bound.imageToText.capped, int64_t(2));
        QCOMPARE(bound.imageToText.queries, images);
        QCOMPARE(bound.textToImage.capped, int64_t(0));
        for (int trial = 0; trial < 50; ++trial) {
            Matrix queries(images, dims);
            for (float& x : queries.data)
                x = normal(rng);
            normalizeRows(queries);
            // Image 0's query pointed straight at its own captions' vector.
            std::copy(texts.row(0), texts.row(0) + dims, queries.row(0));
            const RetrievalRecall r =
                computeCrossRecall(texts, images_, queries, texts, captionImage, 10);
            QVERIFY(r.imageToText.ranks[0] >= 2);
            QVERIFY(r.imageToText.ranks[1] >= 2);
            QVERIFY(r.imageToText.recallAt(1) <= bound.imageToText.maxRecallAt1());
        }
    }

    void galleryOfOne()
    {
        const RetrievalRecall r = computeRetrievalRecall(rows({{1, 0}}), rows({{0, 1}, {1, 0}}), {0, 0});
        QCOMPARE(r.textToImage.curve, (std::vector<double>{1.0}));
        QCOMPARE(r.imageToText.ranks, (std::vector<int64_t>{1}));
    }

    void badInputsAreClearErrors()
    {
        QVERIFY_THROWS_EXCEPTION(Error, computeRetrievalRecall(rows({{1, 0}}), Matrix(0, 2), {}));
        try {
            computeRetrievalRecall(rows({{1, 0}}), rows({{1, 0, 0}}), {0});
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("different sizes"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, computeRetrievalRecall(rows({{1, 0}}), rows({{1, 0}}), {3}));
    }

    void matchesBruteForceOnRandomEmbeddings()
    {
        std::mt19937 rng(42);
        std::normal_distribution<float> normal;
        const int nImages = 40, perImage = 3, dim = 8;
        Matrix images(nImages, dim), texts(nImages * perImage, dim);
        // Coarse values create exact ties, which the reference must agree on.
        for (float& v : images.data)
            v = std::round(normal(rng) * 2) / 2;
        for (float& v : texts.data)
            v = std::round(normal(rng) * 2) / 2;
        std::vector<int64_t> truth;
        for (int i = 0; i < nImages; ++i)
            for (int k = 0; k < perImage; ++k)
                truth.push_back(i);
        const RetrievalRecall r = computeRetrievalRecall(images, texts, truth, 100);
        const Matrix t2i = innerProducts(texts, images);
        for (int64_t t = 0; t < texts.rows; ++t) {
            std::vector<float> s(t2i.row(t), t2i.row(t) + t2i.cols);
            QCOMPARE(r.textToImage.ranks[static_cast<size_t>(t)], bruteForceRank(s, {truth[static_cast<size_t>(t)]}));
        }
        const Matrix i2t = innerProducts(images, texts);
        for (int64_t i = 0; i < images.rows; ++i) {
            std::vector<float> s(i2t.row(i), i2t.row(i) + i2t.cols);
            std::vector<int64_t> own;
            for (int k = 0; k < perImage; ++k)
                own.push_back(i * perImage + k);
            QCOMPARE(r.imageToText.ranks[static_cast<size_t>(i)], bruteForceRank(s, own));
        }
        for (int k = 1; k <= nImages; ++k) {
            const double expected = static_cast<double>(std::count_if(r.textToImage.ranks.begin(), r.textToImage.ranks.end(),
                                                                       [k](int64_t x) { return x <= k; })) /
                                    static_cast<double>(texts.rows);
            QCOMPARE(r.textToImage.recallAt(k), expected);
        }
    }
};

QTEST_GUILESS_MAIN(TestRetrievalRecall)
#include "test_retrieval_recall.moc"

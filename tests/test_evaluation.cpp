// The evaluation issue's metrics on hand-computed cases: recall with ties,
// several captions per image, K beyond the gallery and a gallery of one;
// bootstrap intervals; the compatibility criterion and gain recovery; every
// configuration side by side with the matrix; results.json read back, from
// this version and older ones; embeddings made elsewhere.
#include "TestSupport.h"
#include "core/eval/EvaluationFiles.h"
#include "core/eval/EvaluationJson.h"
#include "core/eval/EvaluationResults.h"
#include "core/eval/PrecomputedEmbeddings.h"
#include "core/util/FileUtil.h"
#include "core/util/NpyFile.h"

#include <QtTest>

#include <functional>

using namespace xbt;
using xbt::test::errorOf;

Q_DECLARE_METATYPE(std::vector<int64_t>)
Q_DECLARE_METATYPE(std::vector<double>)

namespace {

// Unit vectors on the circle at the given angles (degrees): exact scores
// cos(a - b), so ties and orders are easy to compute by hand.
Matrix onCircle(const std::vector<double>& degrees)
{
    Matrix m(static_cast<int64_t>(degrees.size()), 2);
    for (size_t i = 0; i < degrees.size(); ++i) {
        const double a = degrees[i] * M_PI / 180.0;
        m.at(static_cast<int64_t>(i), 0) = static_cast<float>(std::cos(a));
        m.at(static_cast<int64_t>(i), 1) = static_cast<float>(std::sin(a));
    }
    return m;
}

CaptionedSplit splitOf(const std::vector<int64_t>& captionImage, int64_t images,
                       const std::vector<std::string>& categories = {})
{
    CaptionedSplit s;
    s.root = "hand-made";
    for (int64_t i = 0; i < images; ++i)
        s.images.push_back(std::to_string(i) + ".png");
    for (size_t t = 0; t < captionImage.size(); ++t)
        s.captions.push_back("caption " + std::to_string(t));
    s.captionImage = captionImage;
    if (!categories.empty()) {
        s.imageCategory = categories;
        for (int64_t i : captionImage)
            s.captionCategory.push_back(categories[static_cast<size_t>(i)]);
    }
    return s;
}

EmbeddingSpace space(SpaceKind kind, const std::string& name, const std::string& fingerprint, Matrix images,
                     Matrix texts, const std::string& adapter = {})
{
    EmbeddingSpace s;
    s.kind = kind;
    s.name = name;
    s.model = name;
    s.fingerprint = fingerprint;
    s.images = std::move(images);
    s.texts = std::move(texts);
    s.adapter = adapter;
    return s;
}

void writeMatrix(const QTemporaryDir& dir, const char* name, const Matrix& m)
{
    writeNpy(dir.filePath(name).toStdString(), m);
}

void compareSummaries(const RecallSummary& a, const RecallSummary& b, const std::string& what)
{
    const QByteArray w = QByteArray::fromStdString(what);
    QVERIFY2(a.queries == b.queries, w);
    for (int k : kReportedK) {
        QVERIFY2(a.recallAt(k) == b.recallAt(k), w);
        QVERIFY2(a.intervalAt(k).low == b.intervalAt(k).low && a.intervalAt(k).high == b.intervalAt(k).high, w);
    }
    QVERIFY2(a.meanRank == b.meanRank && a.medianRank == b.medianRank, w);
}

// Six images on the circle with one caption each, in two categories; old
// captions 40 degrees off, new ones spot on; a query adapter that maps new
// queries onto the old images, and a gallery transform; a measured rate.
EvaluationOutcome everyKindOfResult()
{
    const std::vector<double> angles = {0, 60, 120, 180, 240, 300};
    std::vector<double> off;
    for (double a : angles)
        off.push_back(a + 40);
    const CaptionedSplit split = splitOf({0, 1, 2, 3, 4, 5}, 6, {"a", "b", "a", "b", "a", "b"});
    EmbeddingSpace newSpace = space(SpaceKind::New, "new", "F_new", onCircle(angles), onCircle(angles));
    newSpace.imagesPerSecond = 50.0;
    EmbeddingSpace adapter = space(SpaceKind::QueryAdapter, "new+good", "F_old", onCircle(angles), onCircle(angles), "good");
    adapter.method = "xbt";
    EmbeddingSpace transform =
        space(SpaceKind::GalleryTransform, "fct(old)", "F_new", onCircle(angles), onCircle(off), "fct");
    transform.method = "fct";
    const std::vector<EmbeddingSpace> spaces = {space(SpaceKind::Old, "old", "F_old", onCircle(angles), onCircle(off)),
                                                newSpace, adapter, transform};
    EvaluationOutcome o = evaluateSpaces(spaces, split, {20, {50, 3, 0.9}});
    o.command = "xbt eval --embeddings hand-made";
    o.date = "2026-11-26T10:00:00Z";
    return o;
}

}  // namespace

class TestEvaluation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void recallCases_data()
    {
        QTest::addColumn<std::vector<double>>("imageAngles");
        QTest::addColumn<std::vector<double>>("textAngles");
        QTest::addColumn<std::vector<int64_t>>("truth");
        QTest::addColumn<std::vector<int64_t>>("t2iRanks");
        QTest::addColumn<std::vector<int64_t>>("i2tRanks");
        QTest::addColumn<std::vector<double>>("t2iCurve");

        // Three images at 0, 90, 180 degrees; one caption each, all spot on.
        QTest::newRow("perfect") << std::vector<double>{0, 90, 180} << std::vector<double>{0, 90, 180}
                                 << std::vector<int64_t>{0, 1, 2} << std::vector<int64_t>{1, 1, 1}
                                 << std::vector<int64_t>{1, 1, 1} << std::vector<double>{1, 1, 1};
        // A caption at 45 degrees is equally close to images 0 and 1: a tie,
        // ranked pessimistically (rank 2 whichever image it belongs to).
        QTest::newRow("tie") << std::vector<double>{0, 90, 180} << std::vector<double>{45, 90, 180}
                             << std::vector<int64_t>{0, 1, 2} << std::vector<int64_t>{2, 1, 1}
                             << std::vector<int64_t>{1, 1, 1} << std::vector<double>{2.0 / 3, 1, 1};
        // Several captions per image: image 0 owns captions at 10 and 170
        // degrees; the second scores image 0 last (cos 170 < cos 80 < cos 10:
        // rank 3 for T2I), but I2T counts the best of image 0's captions (rank 1).
        QTest::newRow("several captions") << std::vector<double>{0, 90, 180} << std::vector<double>{10, 170, 90, 180}
                                          << std::vector<int64_t>{0, 0, 1, 2} << std::vector<int64_t>{1, 3, 1, 1}
                                          << std::vector<int64_t>{1, 1, 1} << std::vector<double>{0.75, 0.75, 1};
        // A gallery of one: everything ranks first; the curve has one point.
        QTest::newRow("gallery of one") << std::vector<double>{0} << std::vector<double>{120, 240}
                                        << std::vector<int64_t>{0, 0} << std::vector<int64_t>{1, 1}
                                        << std::vector<int64_t>{1} << std::vector<double>{1};
        // Every caption points the wrong way: the right image ranks last.
        QTest::newRow("worst") << std::vector<double>{0, 180} << std::vector<double>{180, 0}
                               << std::vector<int64_t>{0, 1} << std::vector<int64_t>{2, 2}
                               << std::vector<int64_t>{2, 2} << std::vector<double>{0, 1};
    }

    void recallCases()
    {
        QFETCH(std::vector<double>, imageAngles);
        QFETCH(std::vector<double>, textAngles);
        QFETCH(std::vector<int64_t>, truth);
        QFETCH(std::vector<int64_t>, t2iRanks);
        QFETCH(std::vector<int64_t>, i2tRanks);
        QFETCH(std::vector<double>, t2iCurve);
        // K = 100 asked, far beyond these galleries: curves stop at the gallery size.
        const RetrievalRecall r = computeRetrievalRecall(onCircle(imageAngles), onCircle(textAngles), truth, 100);
        QCOMPARE(r.textToImage.ranks, t2iRanks);
        QCOMPARE(r.imageToText.ranks, i2tRanks);
        QCOMPARE(r.textToImage.curve.size(), t2iCurve.size());
        for (size_t k = 0; k < t2iCurve.size(); ++k)
            QVERIFY2(std::abs(r.textToImage.curve[k] - t2iCurve[k]) < 1e-12, qPrintable(QString::number(k)));
        QCOMPARE(r.textToImage.recallAt(1000), t2iCurve.back());
    }

    void bootstrapIntervals()
    {
        // Half the queries hit at 1: the interval brackets 0.5 and is reproducible.
        std::vector<int64_t> ranks;
        for (int i = 0; i < 400; ++i)
            ranks.push_back(i % 2 ? 1 : 7);
        const BootstrapOptions options{1000, 3, 0.95};
        const auto a = bootstrapRecallIntervals(ranks, {1, 5, 10}, options);
        const auto b = bootstrapRecallIntervals(ranks, {1, 5, 10}, options);
        QCOMPARE(a[0].low, b[0].low);
        QCOMPARE(a[0].high, b[0].high);
        QVERIFY(a[0].low < 0.5 && a[0].high > 0.5);
        // Binomial standard error sqrt(.25/400) = 0.025: the 95% interval is about +-0.049.
        QVERIFY2(a[0].high - a[0].low > 0.07 && a[0].high - a[0].low < 0.13,
                 qPrintable(QString("%1..%2").arg(a[0].low).arg(a[0].high)));
        // Every query hits at 10: no uncertainty left.
        QCOMPARE(a[2].low, 1.0);
        QCOMPARE(a[2].high, 1.0);
        // Fewer queries, wider interval.
        const std::vector<int64_t> few(ranks.begin(), ranks.begin() + 40);
        const auto c = bootstrapRecallIntervals(few, {1}, options);
        QVERIFY(c[0].high - c[0].low > a[0].high - a[0].low);
        // No resampling: the point estimate.
        const auto d = bootstrapRecallIntervals(ranks, {1}, {0, 0, 0.95});
        QCOMPARE(d[0].low, 0.5);
        QCOMPARE(d[0].high, 0.5);
    }

    void criterionAndGainRecovery()
    {
        QCOMPARE(compatibilityVerdict(0.6, {0.55, 0.65}, 0.4, {0.35, 0.45}), CriterionVerdict::Pass);
        QCOMPARE(compatibilityVerdict(0.3, {0.25, 0.34}, 0.4, {0.35, 0.45}), CriterionVerdict::Fail);
        QCOMPARE(compatibilityVerdict(0.42, {0.37, 0.47}, 0.4, {0.35, 0.45}), CriterionVerdict::WithinNoise);
        QCOMPARE(compatibilityVerdict(0.38, {0.33, 0.43}, 0.4, {0.35, 0.45}), CriterionVerdict::WithinNoise);
        QCOMPARE(QString(verdictName(CriterionVerdict::WithinNoise)), QString("within noise"));
        // METHODS.md's published point: I2T old 40.62, new 48.72, XBT 42.47 -> G = 0.228.
        QVERIFY(std::abs(*gainRecovery(0.4247, 0.4062, 0.4872) - 0.2284) < 1e-3);
        QCOMPARE(*gainRecovery(0.4, 0.4, 0.6), 0.0);
        QVERIFY(*gainRecovery(0.3, 0.4, 0.6) < 0);
        QVERIFY(!gainRecovery(0.5, 0.4, 0.4).has_value());  // the new model is no better: undefined
    }

    void everyConfigurationSideBySide()
    {
        // Four images at 0, 90, 180, 270 degrees with one caption each, in 2-d.
        // old: captions off by 50 degrees (1 in 4 hits at R@1... computed below);
        // new (3-d, so raw new->old is not comparable): perfect;
        // the adapter maps new queries into the old space spot on.
        const Matrix oldImages = onCircle({0, 90, 180, 270});
        const Matrix oldTexts = onCircle({50, 140, 180, 320});
        Matrix newImages(4, 3), newTexts(4, 3);
        for (int i = 0; i < 4; ++i) {
            newImages.at(i, i % 3) = 1.0f;
            newTexts.at(i, i % 3) = 1.0f;
        }
        newImages.at(3, 0) = 0.0f;  // row 3: make it distinct from row 0
        newImages.at(3, 1) = 0.6f;
        newImages.at(3, 2) = 0.8f;
        newTexts.at(3, 0) = 0.0f;
        newTexts.at(3, 1) = 0.6f;
        newTexts.at(3, 2) = 0.8f;
        const CaptionedSplit split = splitOf({0, 1, 2, 3}, 4, {"a", "a", "b", "b"});
        const std::vector<EmbeddingSpace> spaces = {
            space(SpaceKind::Old, "old", "F_old", oldImages, oldTexts),
            space(SpaceKind::New, "new", "F_new", newImages, newTexts),
            space(SpaceKind::QueryAdapter, "new+good", "F_old", onCircle({0, 90, 180, 270}), onCircle({0, 90, 180, 270}),
                  "good"),
        };
        const EvaluationOutcome o = evaluateSpaces(spaces, split, {100, {200, 1, 0.95}});
        QCOMPARE(o.configurations.size(), size_t(4));
        QCOMPARE(QString::fromStdString(o.configurations[0].name), QString("old->old"));
        QCOMPARE(o.configurations[0].role, ConfigurationRole::Today);
        QCOMPARE(o.configurations[1].role, ConfigurationRole::Backfill);
        QCOMPARE(o.configurations[2].role, ConfigurationRole::Raw);
        QVERIFY(!o.configurations[2].comparable);  // 3-d vs 2-d
        QVERIFY(QString::fromStdString(o.configurations[2].note).contains("not comparable"));
        QCOMPARE(QString::fromStdString(o.configurations[3].name), QString("new+good->old"));
        // old T2I: caption 50 deg is nearest image 90 (40 deg) -> miss; 140 -> 180 (40) miss; 180 hit; 320 -> 270 (50) vs 0 (40): miss.
        QCOMPARE(o.configurations[0].textToImage.r1, 0.25);
        QCOMPARE(o.configurations[3].textToImage.r1, 1.0);
        QCOMPARE(o.configurations[0].textToImageByCategory.at("b").r1, 0.5);
        QCOMPARE(o.configurations[0].textToImageByCategory.at("a").r1, 0.0);
        // RSUM: R@1+R@5+R@10 both directions, in %. T2I is perfect (300); I2T
        // queries the OLD captions, off by 40-50 degrees: images 0 and 1 find
        // a neighbour's caption first (R@1 = 0.5, R@5 = R@10 = 1): 250.
        QCOMPARE(o.configurations[3].rsum(), 550.0);
        // Criterion: the adapter beats today at R@1 T2I, but 4 queries make wide intervals.
        QCOMPARE(o.compatibility.size(), size_t(1));
        QVERIFY(o.compatibility[0].textToImage.available);
        QCOMPARE(*o.compatibility[0].textToImage.g1, 1.0);  // as good as the backfill
        // Matrix: rows old, new, new+good; columns old, new. Cross-size cells are n/c.
        QCOMPARE(o.matrix.rows.size(), size_t(3));
        QCOMPARE(o.matrix.columns.size(), size_t(2));
        QCOMPARE(*o.matrix.textToImage[0][0], 0.25);
        QVERIFY(!o.matrix.textToImage[0][1].has_value());
        QVERIFY(!o.matrix.textToImage[1][0].has_value());
        QCOMPARE(*o.matrix.textToImage[2][0], 1.0);
        // The written forms carry every configuration.
        const nlohmann::json j = evaluationToJson(o);
        QCOMPARE(j["configurations"].size(), size_t(4));
        QCOMPARE(j["configurations"][2]["comparable"].get<bool>(), false);
        QVERIFY(j["configurations"][0]["text_to_image"]["ci95"]["R@1"].is_array());
        QCOMPARE(j["compatibility"][0]["text_to_image"]["gain_recovery"]["R@1"].get<double>(), 1.0);
        QVERIFY(j["matrix"]["text_to_image"][0][1].is_null());
        const QString md = QString::fromStdString(evaluationMarkdown(o));
        QVERIFY(md.contains("`new->old` | not comparable"));
        QVERIFY(md.contains("new+good->old"));
        // CSV: 3 comparable configurations x 2 directions x 4 K values.
        QCOMPARE(QString::fromStdString(evaluationRecallCsv(o)).count('\n'), 1 + 3 * 2 * 4);
    }

    // A model trained compatible with the old one (BT^2 / OCA style: its
    // first dims compare with the old model's) searches the old gallery as a
    // real configuration through that part; a compared model gets its own
    // rows; a compared compatible model's cost against new->new is tabled;
    // results.json keeps the declaration.
    void compatibleAndComparedModels()
    {
        const std::vector<double> angles = {0, 60, 120, 180, 240, 300};
        std::vector<double> off;
        for (double a : angles)
            off.push_back(a + 40);
        const CaptionedSplit split = splitOf({0, 1, 2, 3, 4, 5}, 6);
        const Matrix oldImages = onCircle(angles), oldTexts = onCircle(off);
        // 4-d: the first 2 values are the old model's own vectors (scaled),
        // the other 2 the new knowledge (captions spot on).
        const auto expand = [](const Matrix& first, const Matrix& extra) {
            Matrix m(first.rows, 4);
            for (int64_t i = 0; i < m.rows; ++i) {
                m.at(i, 0) = 0.6f * first.at(i, 0);
                m.at(i, 1) = 0.6f * first.at(i, 1);
                m.at(i, 2) = 0.8f * extra.at(i, 0);
                m.at(i, 3) = 0.8f * extra.at(i, 1);
            }
            return m;
        };
        EmbeddingSpace compatible = space(SpaceKind::New, "new", "F_oca", expand(oldImages, onCircle(angles)),
                                          expand(oldTexts, onCircle(angles)));
        compatible.compatibleWith = "F_old";
        compatible.comparableDims = 2;
        EmbeddingSpace other = space(SpaceKind::Compared, "other", "F_other", onCircle(angles), onCircle(angles));
        const std::vector<EmbeddingSpace> spaces = {space(SpaceKind::Old, "old", "F_old", oldImages, oldTexts),
                                                    compatible, other};
        const EvaluationOutcome o = evaluateSpaces(spaces, split, {20, {0, 0, 0.95}});
        const ConfigurationResult* today = o.findConfiguration("old->old");
        const ConfigurationResult* newOld = o.findConfiguration("new->old");
        QVERIFY(today && newOld);
        QCOMPARE(newOld->role, ConfigurationRole::Compatible);
        QVERIFY(newOld->comparable);
        QVERIFY(!newOld->incompatibleComparison);  // its comparable part lives in the old space
        // The comparable part IS the old model's vectors: exactly today's recall.
        QCOMPARE(newOld->textToImage.r1, today->textToImage.r1);
        QCOMPARE(newOld->imageToText.r1, today->imageToText.r1);
        // The whole vector, on its own gallery, is better than today.
        QVERIFY(o.findConfiguration("new->new")->textToImage.r1 > today->textToImage.r1);
        // A compared model without a declaration: raw against old (2-d, so
        // comparable but incompatible), and its own backfill row.
        const ConfigurationResult* otherOld = o.findConfiguration("other->old");
        const ConfigurationResult* otherOwn = o.findConfiguration("other->other");
        QVERIFY(otherOld && otherOwn);
        QCOMPARE(otherOld->role, ConfigurationRole::Raw);
        QVERIFY(otherOld->incompatibleComparison);
        QCOMPARE(otherOwn->role, ConfigurationRole::Compared);
        QCOMPARE(otherOwn->textToImage.r1, 1.0);
        // The criterion covers the compatible model like an adapter.
        QCOMPARE(o.compatibility.size(), size_t(1));
        QCOMPARE(QString::fromStdString(o.compatibility[0].configuration), QString("new->old"));
        // The matrix has a row and a column for the compared model.
        QCOMPARE(o.matrix.rows, (std::vector<std::string>{"old", "new", "other"}));
        QCOMPARE(o.matrix.columns, (std::vector<std::string>{"old", "new", "other"}));
        // results.json keeps the declaration and the roles.
        const EvaluationOutcome back = evaluationFromJson(evaluationToJson(o), "results.json");
        QCOMPARE(back.spaces[1].compatibleWith, std::string("F_old"));
        QCOMPARE(back.spaces[1].comparableDims, int64_t(2));
        QCOMPARE(back.spaces[2].kind, SpaceKind::Compared);
        QCOMPARE(back.findConfiguration("new->old")->role, ConfigurationRole::Compatible);
        QCOMPARE(evaluationMarkdown(back), evaluationMarkdown(o));
        // No cost table here: the new model itself is the compatible one.
        QVERIFY(compatibilityCostMarkdown(o).empty());

        // With an independently trained new model and the compatible one
        // compared, its cost is its own R@1 minus new->new's.
        EmbeddingSpace independent = space(SpaceKind::New, "new", "F_new", onCircle(angles), onCircle(angles));
        EmbeddingSpace compared = compatible;
        compared.kind = SpaceKind::Compared;
        compared.name = compared.model = "oca";
        const EvaluationOutcome withCost = evaluateSpaces(
            {space(SpaceKind::Old, "old", "F_old", oldImages, oldTexts), independent, compared}, split, {20, {0, 0, 0.95}});
        QCOMPARE(withCost.findConfiguration("oca->old")->role, ConfigurationRole::Compatible);
        const double own = withCost.findConfiguration("oca->oca")->textToImage.r1;
        const QString cost = QString::fromStdString(compatibilityCostMarkdown(withCost));
        QVERIFY2(cost.contains("| `oca` | " + QString::number(100.0 * own, 'f', 1) + " | 100.0 | "), qPrintable(cost));
    }

    // results.json holds every field the reports show: the outcome read
    // back equals the one written, per-query ranks aside (not in the file).
    void resultsJsonRoundTrips()
    {
        const EvaluationOutcome o = everyKindOfResult();
        const nlohmann::json written = evaluationToJson(o);
        const EvaluationOutcome back = evaluationFromJson(written, "results.json");
        QCOMPARE(QString::fromStdString(evaluationToJson(back).dump(2)), QString::fromStdString(written.dump(2)));
        QCOMPARE(evaluationMarkdown(back), evaluationMarkdown(o));
        QCOMPARE(evaluationRecallCsv(back), evaluationRecallCsv(o));

        // Field by field, as the JSON above would not notice a field both directions drop.
        QCOMPARE(back.command, o.command);
        QCOMPARE(back.date, o.date);
        QCOMPARE(back.splitFolder, o.splitFolder);
        QCOMPARE(back.images, int64_t(6));
        QCOMPARE(back.captions, int64_t(6));
        QCOMPARE(back.categories, (std::vector<std::string>{"a", "b"}));
        QVERIFY(!o.tieRule.empty());
        QCOMPARE(back.tieRule, o.tieRule);
        QCOMPARE(back.options.maxK, 20);
        QCOMPARE(back.options.bootstrap.samples, 50);
        QCOMPARE(back.options.bootstrap.seed, uint64_t(3));
        QCOMPARE(back.options.bootstrap.confidence, 0.9);
        QVERIFY(back.hasIntervals());
        QCOMPARE(back.spaces.size(), size_t(4));
        QCOMPARE(back.spaceDims, o.spaceDims);
        for (size_t i = 0; i < o.spaces.size(); ++i) {
            const EmbeddingSpace& a = o.spaces[i];
            const EmbeddingSpace& b = back.spaces[i];
            QVERIFY2(a.kind == b.kind && a.name == b.name && a.model == b.model && a.fingerprint == b.fingerprint &&
                         a.adapter == b.adapter && a.method == b.method && a.imagesPerSecond == b.imagesPerSecond,
                     a.name.c_str());
        }
        QCOMPARE(back.spaces[3].method, std::string("fct"));
        QCOMPARE(back.findSpace(SpaceKind::New)->imagesPerSecond, 50.0);

        QCOMPARE(back.configurations.size(), size_t(5));
        for (size_t i = 0; i < o.configurations.size(); ++i) {
            const ConfigurationResult& a = o.configurations[i];
            const ConfigurationResult& b = back.configurations[i];
            QVERIFY2(a.name == b.name && a.querySpace == b.querySpace && a.gallerySpace == b.gallerySpace &&
                         a.role == b.role && a.adapter == b.adapter && a.comparable == b.comparable &&
                         a.incompatibleComparison == b.incompatibleComparison && a.note == b.note,
                     a.name.c_str());
            QCOMPARE(b.rsum(), a.rsum());
            for (RetrievalDirection d : kRetrievalDirections) {
                QCOMPARE(b.has(d), a.has(d));
                compareSummaries(b.summary(d), a.summary(d), a.name);
                QCOMPARE(b.recall.in(d).curve, a.recall.in(d).curve);
                QVERIFY(b.recall.in(d).ranks.empty());
                QCOMPARE(b.byCategory(d).size(), a.byCategory(d).size());
                for (const auto& [category, s] : a.byCategory(d))
                    compareSummaries(b.byCategory(d).at(category), s, a.name + " " + category);
            }
        }
        QVERIFY(!o.configurations[0].recall.textToImage.ranks.empty());
        QCOMPARE(back.configurations[2].note, o.configurations[2].note);  // raw new->old: an incompatible comparison
        QVERIFY(!back.configurations[2].note.empty());
        QCOMPARE(back.configurations[4].role, ConfigurationRole::GalleryTransform);

        QCOMPARE(back.compatibility.size(), size_t(2));
        for (size_t i = 0; i < o.compatibility.size(); ++i) {
            QCOMPARE(back.compatibility[i].adapter, o.compatibility[i].adapter);
            QCOMPARE(back.compatibility[i].configuration, o.compatibility[i].configuration);
            for (RetrievalDirection d : kRetrievalDirections) {
                const CompatibilityDirection& a = o.compatibility[i].in(d);
                const CompatibilityDirection& b = back.compatibility[i].in(d);
                QCOMPARE(b.available, a.available);
                for (int k : kReportedK) {
                    QCOMPARE(b.verdictAt(k), a.verdictAt(k));
                    QCOMPARE(b.gainAt(k), a.gainAt(k));
                }
            }
        }
        QCOMPARE(back.matrix.rows, o.matrix.rows);
        QCOMPARE(back.matrix.columns, o.matrix.columns);
        QCOMPARE(back.matrix.textToImage, o.matrix.textToImage);
        QCOMPARE(back.matrix.imageToText, o.matrix.imageToText);
        QCOMPARE(back.backfill.galleryImages, int64_t(6));
        QCOMPARE(back.backfill.imagesPerSecond, 50.0);
        QCOMPARE(back.backfill.seconds, o.backfill.seconds);
        QVERIFY(QString::fromStdString(back.backfill.note).contains("10-million-image gallery"));
        QCOMPARE(back.backfill.note, o.backfill.note);

        // The file on disk reads the same.
        QTemporaryDir dir;
        const std::vector<std::string> files = writeEvaluationData(o, dir.path().toStdString());
        QCOMPARE(files.size(), size_t(3));
        QCOMPARE(QString::fromStdString(evaluationToJson(readEvaluationFile(files[0])).dump(2)),
                 QString::fromStdString(written.dump(2)));
        QCOMPARE(readFileBytes(files[1]), evaluationRecallCsv(o));
        QCOMPARE(readFileBytes(files[2]), evaluationMarkdown(o));
    }

    // The shape the first xbt eval wrote (models by name; no roles,
    // intervals, bootstrap, adapters, matrix or backfill) and a bare minimum
    // still read: missing fields are "not measured".
    void olderResultsJsonStillReads()
    {
        const nlohmann::json first = nlohmann::json::parse(R"({
            "command": "xbt eval --old a --new b --split s --out o",
            "date": "2026-11-25T18:00:00Z",
            "split": {"folder": "s", "images": 4, "captions": 4},
            "tie_rule": "pessimistic: an item ranks after every other item scoring >= it",
            "models": {"old": {"model": "a", "fingerprint": "fa", "dims": 2},
                       "new": {"model": "b", "fingerprint": "fb", "dims": 3}},
            "configurations": [
                {"name": "old->old", "query": "old", "gallery": "old", "comparable": true,
                 "incompatible_comparison": false, "note": "",
                 "text_to_image": {"queries": 4, "R@1": 0.5, "R@5": 1, "R@10": 1, "mean_rank": 1.5,
                                   "median_rank": 1.5, "curve": [0.5, 0.75, 1, 1]},
                 "image_to_text": {"queries": 4, "R@1": 0.25, "R@5": 1, "R@10": 1, "curve": [0.25, 1, 1, 1]},
                 "per_category": {"a": {"text_to_image": {"queries": 2, "R@1": 1, "R@5": 1, "R@10": 1}}}},
                {"name": "new->new", "query": "new", "gallery": "new", "comparable": true,
                 "text_to_image": {"queries": 4, "R@1": 0.75, "R@5": 1, "R@10": 1, "curve": [0.75, 1, 1, 1]},
                 "image_to_text": null},
                {"name": "new->old", "query": "new", "gallery": "old", "comparable": false,
                 "incompatible_comparison": true, "note": "not comparable: new embeddings have 3 dimensions"}]})");
        const EvaluationOutcome o = evaluationFromJson(first, "first results.json");
        QCOMPARE(o.configurations.size(), size_t(3));
        QCOMPARE(o.configurations[0].role, ConfigurationRole::Today);
        QCOMPARE(o.configurations[1].role, ConfigurationRole::Backfill);
        QCOMPARE(o.configurations[2].role, ConfigurationRole::Raw);
        QVERIFY(!o.configurations[1].hasImageToText);
        QVERIFY(!o.configurations[2].comparable);
        QCOMPARE(o.configurations[0].textToImageByCategory.at("a").r1, 1.0);
        QCOMPARE(o.spaces.size(), size_t(2));
        QCOMPARE(o.findSpace(SpaceKind::Old)->model, std::string("a"));
        QCOMPARE(o.findSpace(SpaceKind::New)->fingerprint, std::string("fb"));
        QCOMPARE(o.spaceDims, (std::vector<int64_t>{2, 3}));
        QVERIFY(!o.hasIntervals());
        QCOMPARE(o.configurations[0].textToImage.ci1.low, 0.5);  // [R, R]: no interval
        QCOMPARE(o.tieRule, std::string("pessimistic: an item ranks after every other item scoring >= it"));
        // The matrix comes from the configurations: old and new, query by gallery.
        QCOMPARE(o.matrix.rows, (std::vector<std::string>{"old", "new"}));
        QCOMPARE(o.matrix.columns, (std::vector<std::string>{"old", "new"}));
        QCOMPARE(*o.matrix.textToImage[0][0], 0.5);
        QCOMPARE(*o.matrix.textToImage[1][1], 0.75);
        QVERIFY(!o.matrix.textToImage[1][0].has_value());  // new->old: not comparable
        QVERIFY(!o.matrix.imageToText[1][1].has_value());
        QVERIFY(o.compatibility.empty());
        QCOMPARE(o.backfill.galleryImages, int64_t(0));
        QVERIFY(o.backfill.note.empty());
        // The tables are still written from it.
        QVERIFY(QString::fromStdString(evaluationMarkdown(o)).contains("`new->old` | not comparable"));
        QCOMPARE(QString::fromStdString(evaluationRecallCsv(o)).count('\n'), 1 + 4 + 4 + 4);

        // Adapters listed without their space (as hand-made files do): each
        // describes one space, also once written and read again.
        nlohmann::json listed = first;
        listed["adapters"] = {{{"name", "xbt"}, {"method", "xbt"}, {"kind", "query"}},
                              {{"name", "fct"}, {"method", "fct"}, {"kind", "gallery"}}};
        const EvaluationOutcome withAdapters = evaluationFromJson(listed, "listed results.json");
        QCOMPARE(withAdapters.spaces.size(), size_t(4));
        QCOMPARE(withAdapters.spaces[3].kind, SpaceKind::GalleryTransform);
        QCOMPARE(withAdapters.spaces[3].adapter, std::string("fct"));
        const EvaluationOutcome again = evaluationFromJson(evaluationToJson(withAdapters), "again");
        QCOMPARE(again.spaces.size(), size_t(4));
        QCOMPARE(again.spaces[2].adapter, std::string("xbt"));

        const EvaluationOutcome bare = evaluationFromJson(
            nlohmann::json::parse(R"({"configurations": [{"name": "old->old", "query": "old", "gallery": "old",
                                      "text_to_image": {"R@1": 0.5, "R@5": 0.5, "R@10": 0.5}}]})"),
            "bare results.json");
        QCOMPARE(bare.configurations[0].role, ConfigurationRole::Today);
        QVERIFY(bare.configurations[0].hasTextToImage && !bare.configurations[0].hasImageToText);
        QVERIFY(bare.spaces.empty());
        QCOMPARE(bare.images, int64_t(0));
        QCOMPARE(bare.options.maxK, 100);
        QCOMPARE(*bare.matrix.textToImage.at(0).at(0), 0.5);
    }

    void malformedResultsJsonNamesTheField()
    {
        const EvaluationOutcome o = everyKindOfResult();
        const auto errorFor = [&](const std::function<void(nlohmann::json&)>& spoil) {
            nlohmann::json j = evaluationToJson(o);
            spoil(j);
            return errorOf([&] { evaluationFromJson(j, "out/results.json"); });
        };
        VERIFY_CONTAINS(errorFor([](nlohmann::json& j) { j["configurations"][0]["text_to_image"]["R@1"] = "high"; }),
                        "out/results.json: configurations[0].text_to_image.R@1 should be a number");
        VERIFY_CONTAINS(errorFor([](nlohmann::json& j) { j["configurations"][1]["role"] = "hero"; }),
                        "configurations[1].role should be one of today, backfill");
        VERIFY_CONTAINS(errorFor([](nlohmann::json& j) { j["configurations"][0]["image_to_text"]["ci95"]["R@5"] = 1; }),
                        "configurations[0].image_to_text.ci95.R@5 should be [low, high]");
        VERIFY_CONTAINS(errorFor([](nlohmann::json& j) {
                            j["compatibility"][0]["text_to_image"]["criterion"]["R@10"] = "maybe";
                        }),
                        "compatibility[0].text_to_image.criterion.R@10 should be one of pass, fail, within noise");
        VERIFY_CONTAINS(errorFor([](nlohmann::json& j) { j["matrix"]["image_to_text"].erase(0); }),
                        "matrix.image_to_text should be 3 rows");
        VERIFY_CONTAINS(errorFor([](nlohmann::json& j) { j["spaces"][1]["kind"] = "newest"; }), "spaces[1].kind");
        VERIFY_CONTAINS(errorFor([](nlohmann::json& j) { j.erase("configurations"); }),
                        "out/results.json has no configurations");
        VERIFY_CONTAINS(errorOf([] { evaluationFromJson(nlohmann::json::array(), "list.json"); }),
                        "list.json: expected a JSON object");
        QTemporaryDir dir;
        const std::string garbage = xbt::test::writeTestFile(dir, "results.json", "{not json");
        VERIFY_CONTAINS(errorOf([&] { readEvaluationFile(garbage); }), "not valid JSON");
    }

    void precomputedEmbeddings()
    {
        QTemporaryDir dir;
        writeMatrix(dir, "old_img.npy", onCircle({0, 90, 180}));
        writeMatrix(dir, "old_txt.npy", onCircle({0, 90, 180, 10}));
        writeMatrix(dir, "new_img.npy", onCircle({0, 90, 180}));
        writeMatrix(dir, "new_txt.npy", onCircle({0, 90, 180, 5}));
        writeMatrix(dir, "mine_txt.npy", onCircle({0, 90, 180, 0}));
        xbt::test::writeTestFile(dir, "truth.tsv", "# text row -> image row\n0\tx\n1\tx\n2\ty\n0\tx\n");
        const PrecomputedEmbeddings p = loadPrecomputedEmbeddings(dir.path().toStdString());
        QCOMPARE(p.spaces.size(), size_t(3));
        QCOMPARE(p.spaces[2].kind, SpaceKind::QueryAdapter);
        QCOMPARE(p.split.categories(), (std::vector<std::string>{"x", "y"}));
        const EvaluationOutcome o = evaluateSpaces(p.spaces, p.split);
        const ConfigurationResult& mine = o.configurations.back();
        QCOMPARE(QString::fromStdString(mine.name), QString("mine->old"));
        QVERIFY(mine.hasTextToImage);
        QVERIFY(!mine.hasImageToText);  // text-only space: T2I only
        QCOMPARE(mine.textToImage.r1, 1.0);
    }

    void precomputedEmbeddingErrors()
    {
        QTemporaryDir dir;
        writeMatrix(dir, "old_img.npy", onCircle({0, 90}));
        writeMatrix(dir, "old_txt.npy", onCircle({0, 90}));
        writeMatrix(dir, "new_img.npy", onCircle({0, 90}));
        Matrix wide(2, 3);
        wide.at(0, 0) = wide.at(1, 1) = 1.0f;
        writeMatrix(dir, "new_txt.npy", wide);
        // An empty query list is a clear error naming the file.
        xbt::test::writeTestFile(dir, "truth.tsv", "# nothing\n");
        VERIFY_CONTAINS(errorOf([&] { loadPrecomputedEmbeddings(dir.path().toStdString()); }), "truth.tsv: lists no text");
        // A bad line names its line number.
        xbt::test::writeTestFile(dir, "truth.tsv", "0\nx1\n");
        VERIFY_CONTAINS(errorOf([&] { loadPrecomputedEmbeddings(dir.path().toStdString()); }), "truth.tsv:2");
        // Mismatched dimensions within a space.
        xbt::test::writeTestFile(dir, "truth.tsv", "0\n1\n");
        VERIFY_CONTAINS(errorOf([&] { loadPrecomputedEmbeddings(dir.path().toStdString()); }), "2-d images but 3-d texts");
        // Text rows that disagree with truth.tsv.
        writeMatrix(dir, "new_txt.npy", onCircle({0, 90, 45}));
        VERIFY_CONTAINS(errorOf([&] { loadPrecomputedEmbeddings(dir.path().toStdString()); }),
                        "new_txt.npy: 3 rows, but truth.tsv lists 2 texts");
        // Mismatched dimensions between spaces in one configuration name the sizes.
        const CaptionedSplit split = splitOf({0, 1}, 2);
        VERIFY_CONTAINS(errorOf([&] { computeRetrievalRecall(onCircle({0, 90}), wide, {0, 1}); }), "different sizes");
        QVERIFY(!evaluateConfiguration(space(SpaceKind::New, "new", "b", wide, wide),
                                       space(SpaceKind::Old, "old", "a", onCircle({0, 90}), onCircle({0, 90})), split)
                     .comparable);
    }
};

QTEST_GUILESS_MAIN(TestEvaluation)
#include "test_evaluation.moc"

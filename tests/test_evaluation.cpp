// The evaluation issue's metrics on hand-computed cases: recall with ties,
// several captions per image, K beyond the gallery and a gallery of one;
// bootstrap intervals; the compatibility criterion and gain recovery; every
// configuration side by side with the matrix; embeddings made elsewhere.
#include "TestSupport.h"
#include "core/eval/EvaluationResults.h"
#include "core/eval/PrecomputedEmbeddings.h"
#include "core/util/NpyFile.h"

#include <QtTest>

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

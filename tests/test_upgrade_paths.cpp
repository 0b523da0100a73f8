// Issue 17, measured side: re-ranking an adapter's top K in the new space,
// mixed search over a partly backfilled gallery (0% = the adapter, 100% =
// the new model), backfill orders (deterministic for a seed), and the
// decision table's numbers being the configurations' own.
#include "core/eval/EvaluationFiles.h"
#include "core/eval/EvaluationJson.h"
#include "core/eval/EvaluationResults.h"
#include "core/eval/UpgradeDecision.h"
#include "core/eval/UpgradePaths.h"
#include "tests/SyntheticEmbeddings.h"
#include "tests/TestSupport.h"

#include <QtTest>

#include <algorithm>
#include <random>

using namespace xbt;
using namespace xbt::test;

namespace {

// 80 images with 2 captions each; the new space sees the truth sharply, the
// old one and the adapter through noise.
struct World {
    CaptionedSplit split;
    EmbeddingSpace old, fresh, adapted;
};

World world()
{
    World w;
    const int64_t images = 80, dims = 24;
    const Matrix truth = randomUnitRows(images, dims, 5);
    Matrix texts(images * 2, dims);
    w.split.root = "world";
    for (int64_t i = 0; i < images; ++i) {
        w.split.images.push_back("img" + std::to_string(i) + ".png");
        for (int c = 0; c < 2; ++c) {
            std::copy(truth.row(i), truth.row(i) + dims, texts.row(2 * i + c));
            w.split.captions.push_back("caption " + std::to_string(2 * i + c));
            w.split.captionImage.push_back(i);
        }
    }
    const auto space = [&](SpaceKind kind, const char* name, char fp, float noise, uint32_t seed) {
        EmbeddingSpace s;
        s.kind = kind;
        s.name = name;
        s.adapter = kind == SpaceKind::QueryAdapter ? "phi" : "";
        s.fingerprint = std::string(64, fp);
        s.images = noisyUnitRows(truth, noise, seed);
        s.texts = noisyUnitRows(texts, noise, seed + 1);
        return s;
    };
    w.old = space(SpaceKind::Old, "old", 'a', 0.35f, 10);
    w.fresh = space(SpaceKind::New, "new", 'b', 0.08f, 20);
    w.adapted = space(SpaceKind::QueryAdapter, "new+phi", 'a', 0.3f, 30);
    w.adapted.images = noisyUnitRows(truth, 0.3f, 31);
    return w;
}

}  // namespace

class TestUpgradePaths : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rerankingReordersOnlyTheTopK()
    {
        const World w = world();
        for (RetrievalDirection d : kRetrievalDirections) {
            const TwoSpaceScores s = twoSpaceScores(d, w.adapted, w.old, w.fresh, w.split);
            const std::vector<int64_t> first = pessimisticRanks(s.firstStage, s.relevant);
            const std::vector<int64_t> fresh = pessimisticRanks(s.newSpace, s.relevant);
            // K = the whole gallery: the new model's ranking.
            QCOMPARE(rerankedRanks(s, static_cast<int>(s.firstStage.cols)), fresh);
            const std::vector<int64_t> k5 = rerankedRanks(s, 5);
            for (size_t q = 0; q < first.size(); ++q) {
                if (first[q] > 5)
                    QCOMPARE(k5[q], first[q]);  // outside the candidates nothing moves
                else
                    QVERIFY(k5[q] <= 5);        // a candidate stays a candidate
            }
        }
        const TwoSpaceScores t2i = twoSpaceScores(RetrievalDirection::TextToImage, w.adapted, w.old, w.fresh, w.split);
        QVERIFY(rerankedImages(t2i, 5) >= 5 && rerankedImages(t2i, 5) <= 80);
        QCOMPARE(rerankedImages(twoSpaceScores(RetrievalDirection::ImageToText, w.adapted, w.old, w.fresh, w.split), 5),
                 int64_t(0));  // captions are texts: no image re-embedded
    }

    void mixedSearchRunsFromTheAdapterToTheNewModel()
    {
        const World w = world();
        for (RetrievalDirection d : kRetrievalDirections) {
            const TwoSpaceScores s = twoSpaceScores(d, w.adapted, w.old, w.fresh, w.split);
            const std::vector<char> none(80, 0), all(80, 1);
            const ScoreCalibration fitted = fitScoreCalibration(s);
            QVERIFY(fitted.fitted && fitted.newScale > 0);
            for (const ScoreCalibration& mix : {ScoreCalibration{}, fitted}) {
                QCOMPARE(mixedRanks(s, none, mix), pessimisticRanks(s.firstStage, s.relevant));
                QCOMPARE(mixedRanks(s, all, mix), pessimisticRanks(s.newSpace, s.relevant));
            }
        }
    }

    void calibrationPutsTheTwoSpacesOnOneScale()
    {
        const World w = world();
        for (RetrievalDirection d : kRetrievalDirections) {
            // New-space cosines shifted down by 0.6: raw mixing then ranks
            // every backfilled item below the adapter's, and the fit, made
            // on other queries of the same spaces, must undo the shift.
            TwoSpaceScores s = twoSpaceScores(d, w.adapted, w.old, w.fresh, w.split);
            for (float& v : s.newSpace.data)
                v -= 0.6f;
            const ScoreCalibration fitted = fitScoreCalibration(s, 1);
            std::vector<char> half(80, 0);
            for (size_t i = 0; i < half.size(); i += 2)
                half[i] = 1;
            const auto r1 = [](const std::vector<int64_t>& ranks) {
                return std::count(ranks.begin(), ranks.end(), int64_t(1));
            };
            QVERIFY(r1(mixedRanks(s, half, fitted)) > r1(mixedRanks(s, half, ScoreCalibration{})));
            // Never worse than raw on the data it was fitted on; raw wins ties.
            const TwoSpaceScores plain = twoSpaceScores(d, w.adapted, w.old, w.fresh, w.split);
            const ScoreCalibration again = fitScoreCalibration(plain, 1);
            QVERIFY(r1(mixedRanks(plain, half, again)) + 2 >= r1(mixedRanks(plain, half, ScoreCalibration{})));
        }
    }

    void backfillOrdersAreDeterministicAndMeaningful()
    {
        const World w = world();
        QCOMPARE(backfillOrder(BackfillOrder::Random, w.old.images, Matrix(), 3),
                 backfillOrder(BackfillOrder::Random, w.old.images, Matrix(), 3));
        QVERIFY(backfillOrder(BackfillOrder::Random, w.old.images, Matrix(), 3) !=
                backfillOrder(BackfillOrder::Random, w.old.images, Matrix(), 4));
        // A crowd of near-duplicates in the old space goes first.
        Matrix crowded = w.old.images;
        for (int64_t i = 1; i < 12; ++i)
            std::copy(crowded.row(0), crowded.row(0) + crowded.cols, crowded.row(i));
        const std::vector<int64_t> crowding = backfillOrder(BackfillOrder::Crowding, crowded, Matrix(), 0);
        for (size_t i = 0; i < 12; ++i)
            QVERIFY(crowding[i] < 12);
        // The queries order starts with what the log's queries retrieve.
        const Matrix log = w.old.images.selectRows({40, 40, 40});
        QCOMPARE(backfillOrder(BackfillOrder::Queries, w.old.images, log, 0).front(), int64_t(40));
        VERIFY_CONTAINS(errorOf([&] { backfillOrder(BackfillOrder::Queries, w.old.images, Matrix(), 0); }),
                        "query log");
    }

    void decisionTableShowsTheConfigurationsOwnNumbers()
    {
        const World w = world();
        EvaluationOptions options;
        options.maxK = 10;
        options.bootstrap = {0, 0, 0.95};
        options.rerankK = {5};
        const std::vector<EmbeddingSpace> spaces = {w.old, w.fresh, w.adapted};
        EvaluationOutcome o = evaluateSpaces(spaces, w.split, options);
        const ConfigurationResult* rerank = o.findConfiguration("new+phi->old+rerank@5");
        QVERIFY(rerank);
        QVERIFY(rerank->role == ConfigurationRole::Rerank);
        QCOMPARE(rerank->imagesPerQuery, int64_t(5));
        // Re-ranking the adapter's top 5 by the sharper new space helps.
        QVERIFY(rerank->textToImage.r1 >= o.findConfiguration("new+phi->old")->textToImage.r1);
        BackfillCalibration calibration;
        calibration.fittedOn = "val";
        o.backfillCurve = evaluateBackfillCurve(spaces, "phi", w.split, Matrix(), {0.0, 0.5, 1.0}, &calibration);
        QCOMPARE(o.backfillCurve.series.size(), size_t(4));  // random, uncertainty x raw, calibrated
        const std::string table = decisionTableMarkdown(o);
        const auto pct = [](double v) {  // as results.md prints (round half to even)
            char b[16];
            std::snprintf(b, sizeof b, "%.1f", 100.0 * v);
            return QString::fromLatin1(b);
        };
        for (const char* name : {"old->old", "new->new", "new+phi->old", "new+phi->old+rerank@5"}) {
            const ConfigurationResult* c = o.findConfiguration(name);
            const QString row = QStringLiteral("| `%1` (").arg(QLatin1String(name));
            const QString text = QString::fromStdString(table);
            const int at = text.indexOf(row);
            QVERIFY2(at >= 0, name);
            const QString line = text.mid(at, text.indexOf(QLatin1Char('\n'), at) - at);
            QVERIFY2(line.contains(QStringLiteral("| ") + pct(c->textToImage.r1) + QStringLiteral(" | ") +
                                   pct(c->imageToText.r1) + QStringLiteral(" |")),
                     qPrintable(line + QStringLiteral(" expected ") + pct(c->textToImage.r1) + QStringLiteral(" / ") +
                                pct(c->imageToText.r1)));
        }
        // results.json keeps the curve and the re-ranking costs.
        const EvaluationOutcome back = evaluationFromJson(evaluationToJson(o), "results.json");
        QCOMPARE(back.backfillCurve.series.size(), size_t(4));
        QCOMPARE(back.backfillCurve.series[0].points[1].textToImage.r1, o.backfillCurve.series[0].points[1].textToImage.r1);
        QCOMPARE(back.findConfiguration("new+phi->old+rerank@5")->imagesPerQuery, int64_t(5));
        // ... and each path's query latency, which the table shows as "p50 / p95".
        QVERIFY(!back.findConfiguration("new+phi->old")->textQueryLatency);
        o.configurations[0].textQueryLatency = QueryLatency{50, 1.25, 3.5};
        o.backfillCurve.mixedTextQueryLatency = QueryLatency{50, 2.0, 4.0};
        const EvaluationOutcome timed = evaluationFromJson(evaluationToJson(o), "results.json");
        QCOMPARE(timed.configurations[0].textQueryLatency->p95Ms, 3.5);
        QCOMPARE(timed.backfillCurve.mixedTextQueryLatency->p50Ms, 2.0);
        const std::vector<UpgradePathRow> rows = upgradePathRows(timed);
        QCOMPARE(rows.front().queryLatency, std::string("1.2 / 3.5"));
        QCOMPARE(rows.back().queryLatency, std::string("2.0 / 4.0"));
        QCOMPARE(upgradePathTextCells(rows.front()).size(), upgradePathTextHeaders().size());

        // The partial backfill rows follow the order chosen on validation,
        // whichever series that is, and say so; the choice is kept in results.json.
        const auto [order, mix] = bestBackfillSeries(o.backfillCurve);
        QVERIFY(!order.empty());
        double best = -1.0;
        for (const BackfillSeries& s : o.backfillCurve.series)
            best = std::max(best, s.points[1].textToImage.r1 + s.points[1].imageToText.r1);
        for (const BackfillSeries& s : o.backfillCurve.series)
            if (s.order == order && s.mix == mix)
                QCOMPARE(s.points[1].textToImage.r1 + s.points[1].imageToText.r1, best);
        o.backfillCurve.chosenOrder = "random";
        o.backfillCurve.chosenMix = "calibrated";
        VERIFY_CONTAINS(QString::fromStdString(decisionTableMarkdown(o)),
                        "backfill 50% (random order, calibrated, best on validation");
        QCOMPARE(evaluationFromJson(evaluationToJson(o), "results.json").backfillCurve.chosenOrder, std::string("random"));
        // Storage per item: the old vectors, plus the new ones of the backfilled share.
        const QString table50 = QString::fromStdString(decisionTableMarkdown(o));
        const int64_t oldBytes = 4 * w.old.images.cols, newBytes = 4 * w.fresh.images.cols;
        VERIFY_CONTAINS(table50, QStringLiteral("%1 B + 50% of %2 B").arg(oldBytes).arg(newBytes));
    }
};

QTEST_GUILESS_MAIN(TestUpgradePaths)
#include "test_upgrade_paths.moc"

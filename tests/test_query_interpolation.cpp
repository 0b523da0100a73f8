// Issue 16: interpolation with the old query (linear and spherical, chosen on
// validation, never worse than today there), negative flips, the diagnostic
// ceiling's labels, the recommendation rule, slerp's orthogonal map, and the
// settings' bounds.
#include "core/adapt/ClosedFormFit.h"
#include "core/adapt/QueryInterpolation.h"
#include "core/adapt/training/AdapterSettingsTable.h"
#include "core/adapt/training/AdapterValidation.h"
#include "core/adapt/training/InterpolationChoice.h"
#include "core/eval/EvaluationFiles.h"
#include "core/eval/EvaluationJson.h"
#include "core/eval/NegativeFlips.h"
#include "core/pipeline/AdapterRecommendation.h"
#include "core/util/Error.h"
#include "tests/SyntheticEmbeddings.h"
#include "tests/TestSupport.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace xbt;
using namespace xbt::test;
using nlohmann::json;

namespace {

Matrix rowsOf(std::initializer_list<std::vector<float>> rows)
{
    Matrix m(static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows.begin()->size()));
    int64_t r = 0;
    for (const auto& row : rows) {
        std::copy(row.begin(), row.end(), m.row(r));
        ++r;
    }
    return m;
}

bool near(const Matrix& m, int64_t row, std::vector<double> expected, double tol = 1e-5)
{
    for (size_t d = 0; d < expected.size(); ++d)
        if (std::fabs(m.at(row, static_cast<int64_t>(d)) - expected[d]) > tol)
            return false;
    return true;
}


// A validation split of `images` images with 2 captions each: the old space
// is a noisy view of a hidden truth (today's recall is mediocre).
struct Synthetic {
    AdapterValidation validation;
    Matrix truthTexts, truthImages;
};

Synthetic synthetic(int64_t images, uint32_t seed)
{
    const int64_t dims = 32;
    Synthetic s;
    s.truthImages = randomUnitRows(images, dims, seed);
    Matrix texts(images * 2, dims);
    CaptionedSplit split;
    split.root = "synthetic";
    for (int64_t i = 0; i < images; ++i) {
        split.images.push_back("img" + std::to_string(i) + ".png");
        for (int c = 0; c < 2; ++c) {
            std::copy(s.truthImages.row(i), s.truthImages.row(i) + dims, texts.row(2 * i + c));
            split.captions.push_back("caption " + std::to_string(2 * i + c));
            split.captionImage.push_back(i);
        }
    }
    s.truthTexts = noisyUnitRows(texts, 0.05f, seed + 1);
    EmbeddingSpace old, fresh;
    old.kind = SpaceKind::Old;
    old.name = "old";
    old.fingerprint = std::string(64, 'a');
    old.images = noisyUnitRows(s.truthImages, 0.25f, seed + 2);
    old.texts = noisyUnitRows(s.truthTexts, 0.25f, seed + 3);
    fresh.kind = SpaceKind::New;
    fresh.name = "new";
    fresh.fingerprint = std::string(64, 'b');
    fresh.images = s.truthImages;
    fresh.texts = s.truthTexts;
    s.validation = AdapterValidation::onSplit(split, old, fresh);
    return s;
}

json validationMetrics(double t2i, double i2t, double todayT2i, double todayI2t, double flips = 0.0)
{
    const auto direction = [](double r) { return json{{"R@1", r}, {"R@5", r + 0.2}, {"R@10", r + 0.3}}; };
    return {{"validation",
             {{"configurations",
               {{"old->old", {{"T2I", direction(todayT2i)}, {"I2T", direction(todayI2t)}}},
                {"new+phi->old", {{"T2I", direction(t2i)}, {"I2T", direction(i2t)}}}}},
              {"criterion", {{"configuration", "new+phi->old"}, {"met", t2i > todayT2i && i2t > todayI2t}}},
              {"negative_flips", {{"T2I", {{"R@1", flips}}}, {"I2T", {{"R@1", flips}}}}},
              {"tie_rule", kTieRuleDescription}}}};
}

AdapterInfo adapterWith(const std::string& name, json metrics)
{
    AdapterInfo a;
    a.name = name;
    a.metrics = std::move(metrics);
    return a;
}

}  // namespace

class TestQueryInterpolation : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void endsAreTodayAndTheAdapterExactly()
    {
        const Matrix o = randomUnitRows(5, 8, 1), p = randomUnitRows(5, 8, 2);
        for (InterpolationKind kind : {InterpolationKind::Linear, InterpolationKind::Spherical}) {
            QVERIFY(interpolateRows(o, p, 0.0, kind).data == o.data);
            QVERIFY(interpolateRows(o, p, 1.0, kind).data == p.data);
        }
        VERIFY_CONTAINS(errorOf([&] { interpolateRows(o, p, 1.5, InterpolationKind::Linear); }), "outside [0, 1]");
        VERIFY_CONTAINS(errorOf([&] { interpolateRows(o, randomUnitRows(4, 8, 3), 0.5, InterpolationKind::Linear); }),
                        "same queries");
    }

    void handComputedUnitVectors()
    {
        const Matrix o = rowsOf({{1.0f, 0.0f}}), p = rowsOf({{0.0f, 1.0f}});
        const double h = std::sqrt(0.5);
        // Halfway both kinds agree: the bisector.
        QVERIFY(near(interpolateRows(o, p, 0.5, InterpolationKind::Linear), 0, {h, h}));
        QVERIFY(near(interpolateRows(o, p, 0.5, InterpolationKind::Spherical), 0, {h, h}));
        // A quarter: linear normalises (0.75, 0.25); spherical turns 22.5 degrees.
        QVERIFY(near(interpolateRows(o, p, 0.25, InterpolationKind::Linear), 0,
                     {0.75 / std::sqrt(0.625), 0.25 / std::sqrt(0.625)}));
        QVERIFY(near(interpolateRows(o, p, 0.25, InterpolationKind::Spherical), 0,
                     {std::cos(M_PI / 8), std::sin(M_PI / 8)}));
        // Identical inputs: that vector, for any a.
        const Matrix same = rowsOf({{0.6f, 0.8f}});
        for (InterpolationKind kind : {InterpolationKind::Linear, InterpolationKind::Spherical})
            QVERIFY(near(interpolateRows(same, same, 0.3, kind), 0, {0.6, 0.8}));
        // Opposite inputs. Linear: before halfway today's, after it the
        // adapter's, halfway (no direction) today's query.
        const Matrix minus = rowsOf({{-1.0f, 0.0f}});
        QVERIFY(near(interpolateRows(o, minus, 0.3, InterpolationKind::Linear), 0, {1.0, 0.0}));
        QVERIFY(near(interpolateRows(o, minus, 0.7, InterpolationKind::Linear), 0, {-1.0, 0.0}));
        QVERIFY(near(interpolateRows(o, minus, 0.5, InterpolationKind::Linear), 0, {1.0, 0.0}));
        // Spherical: a fixed great circle; halfway is orthogonal to both.
        const Matrix mid = interpolateRows(o, minus, 0.5, InterpolationKind::Spherical);
        QVERIFY(std::fabs(mid.at(0, 0)) < 1e-6 && std::fabs(std::fabs(mid.at(0, 1)) - 1.0) < 1e-6);
        const Matrix third = interpolateRows(o, minus, 1.0 / 3.0, InterpolationKind::Spherical);
        QVERIFY(std::fabs(third.at(0, 0) - 0.5) < 1e-5);  // cos 60 degrees
    }

    // The choice never does worse than today (a = 0) on validation: a useless
    // adapter gets a = 0; a useful one gets a > 0 and beats today at every K.
    void validationChoiceIsNeverWorseThanToday()
    {
        const Synthetic s = synthetic(120, 11);
        InterpolationRequest request;
        request.grid = {0.0, 0.25, 0.5, 0.75, 1.0};
        // Useless: random queries.
        const InterpolationChoice useless = chooseInterpolation(
            s.validation, randomUnitRows(240, 32, 99), randomUnitRows(120, 32, 98), request);
        QCOMPARE(useless.interpolation.texts.weight, 0.0);
        QCOMPARE(useless.interpolation.images.weight, 0.0);
        QCOMPARE(QString::fromStdString(useless.interpolation.chosenBy), QStringLiteral("validation"));
        // Useful: the truth, seen by an adapter through milder noise.
        const Matrix texts = noisyUnitRows(s.truthTexts, 0.1f, 5), images = noisyUnitRows(s.truthImages, 0.1f, 6);
        const InterpolationChoice useful = chooseInterpolation(s.validation, texts, images, request);
        QVERIFY(useful.interpolation.texts.weight > 0.0);
        QVERIFY(useful.interpolation.images.weight > 0.0);
        const json& chosen = useful.report.at("chosen");
        const json& today = useful.report.at("today");
        for (const char* d : {"T2I", "I2T"})
            for (const char* k : {"R@1", "R@5", "R@10"})
                QVERIFY(chosen[d]["recall"][k].get<double>() >= today[d][k].get<double>());
        // A fixed weight is kept as given; no split: the fallback, said so.
        request.weight = 0.3;
        request.kind = "linear";
        QCOMPARE(chooseInterpolation(s.validation, texts, images, request).interpolation.texts.weight, 0.3);
        request.weight = "auto";
        request.fallbackWeight = 0.5;
        const InterpolationChoice none = chooseInterpolation(AdapterValidation(), texts, images, request);
        QCOMPARE(none.interpolation.images.weight, 0.5);
        QVERIFY(none.interpolation.chosenBy.find("no validation split") != std::string::npos);
    }

    void interpolationSettingsAreBounded()
    {
        const json resolved = resolveAdapterSettings("slerp", json::object());
        QCOMPARE(QString::fromStdString(resolved.at("interpolation").get<std::string>()), QStringLiteral("spherical"));
        QCOMPARE(QString::fromStdString(resolved.at("interpolate").get<std::string>()), QStringLiteral("auto"));
        VERIFY_CONTAINS(errorOf([] { resolveAdapterSettings("xbt", {{"interpolate", 1.5}}); }), "at most 1");
        VERIFY_CONTAINS(errorOf([] { resolveAdapterSettings("lstsq", {{"interpolation", "cubic"}}); }), "spherical");
        VERIFY_CONTAINS(errorOf([] { resolveAdapterSettings("procrustes", {{"interpolation_grid", {0.5, 2.0}}}); }),
                        "interpolation_grid");
        // Gallery transforms have no queries to interpolate.
        VERIFY_CONTAINS(errorOf([] { resolveAdapterSettings("fct", {{"interpolate", 0.5}}); }), "not a fct setting");
    }

    void negativeFlipsOnAHandMadeRanking()
    {
        const std::vector<int64_t> today = {1, 3, 12, 1};
        const std::vector<int64_t> config = {2, 1, 1, 15};
        QCOMPARE(flippedQueries(today, config, 1), (std::vector<size_t>{0, 3}));
        QCOMPARE(flippedQueries(today, config, 10), (std::vector<size_t>{3}));
        const DirectionFlips f = directionFlips(today, config);
        QCOMPARE(f.at1, 0.5);
        QCOMPARE(f.at10, 0.25);
        QCOMPARE(directionFlips(today, today).at1, 0.0);
        VERIFY_CONTAINS(errorOf([&] { flippedQueries(today, {1, 2}, 1); }), "same queries");
    }

    void recommendationFollowsValidationOnly()
    {
        // Nothing passes: keep today's system.
        const Recommendation none = recommendAdapter({adapterWith("a", validationMetrics(0.50, 0.30, 0.45, 0.35)),
                                                      adapterWith("b", json::object())});
        QVERIFY(none.decided);
        QVERIFY(none.adapter.empty());
        VERIFY_CONTAINS(QString::fromStdString(none.reason), "keep today's system");
        VERIFY_CONTAINS(QString::fromStdString(none.reason), "I2T R@1");
        VERIFY_CONTAINS(QString::fromStdString(none.reason), "without a validation split");
        // The best passing one; a near-equal with fewer flips is preferred.
        const Recommendation best =
            recommendAdapter({adapterWith("weak", validationMetrics(0.46, 0.36, 0.45, 0.35)),
                              adapterWith("strong", validationMetrics(0.60, 0.50, 0.45, 0.35, 0.08)),
                              adapterWith("steady", validationMetrics(0.599, 0.499, 0.45, 0.35, 0.02)),
                              adapterWith("unvalidated", json::object())});
        QCOMPARE(QString::fromStdString(best.adapter), QStringLiteral("steady"));
        VERIFY_CONTAINS(QString::fromStdString(best.reason), "deploy adapter 'steady'");
        QVERIFY(!QString::fromStdString(best.reason).contains("retrain"));
        QVERIFY(!recommendAdapter({}).decided);
        // Figures ranked by an earlier build (ties compared exactly) still
        // count, and the reason says to retrain that adapter.
        json old = validationMetrics(0.60, 0.50, 0.45, 0.35);
        old["validation"].erase("tie_rule");
        const Recommendation stale = recommendAdapter({adapterWith("before", old)});
        QCOMPARE(QString::fromStdString(stale.adapter), QStringLiteral("before"));
        VERIFY_CONTAINS(QString::fromStdString(stale.reason), "the validation figures of before were ranked by an earlier build");
        VERIFY_CONTAINS(QString::fromStdString(stale.reason), "retrain");
    }

    // slerp's alignment: for a 256 -> 128 map W (128 x 256), W W^T = I.
    void slerpMapIsOrthogonalOnItsSmallerSide()
    {
        const Matrix source = randomUnitRows(600, 256, 21);
        const Matrix target = randomUnitRows(600, 128, 22);
        const Matrix w = fitProcrustes(source, target);
        QCOMPARE(w.rows, int64_t(128));
        QCOMPARE(w.cols, int64_t(256));
        double worst = 0.0;
        for (int64_t i = 0; i < 128; ++i)
            for (int64_t j = 0; j < 128; ++j) {
                double dot = 0.0;
                for (int64_t k = 0; k < 256; ++k)
                    dot += static_cast<double>(w.at(i, k)) * w.at(j, k);
                worst = std::max(worst, std::fabs(dot - (i == j ? 1.0 : 0.0)));
            }
        QVERIFY2(worst < 1e-4, qPrintable(QString::number(worst)));
    }

    // The ceiling is a diagnostic: labelled so in every output, no matrix row,
    // no compatibility verdict, and G_ceiling reported for adapters.
    void ceilingIsLabelledDiagnosticEverywhere()
    {
        const Synthetic s = synthetic(60, 31);
        EmbeddingSpace old = s.validation.oldSpace(), fresh = s.validation.newSpace();
        EmbeddingSpace adapter = old;
        adapter.kind = SpaceKind::QueryAdapter;
        adapter.name = "new+phi";
        adapter.adapter = "phi";
        adapter.texts = noisyUnitRows(s.truthTexts, 0.2f, 41);
        adapter.images = noisyUnitRows(s.truthImages, 0.2f, 42);
        EmbeddingSpace ceiling = old;
        ceiling.kind = SpaceKind::Ceiling;
        ceiling.name = "ceiling(diagnostic)";
        ceiling.texts = noisyUnitRows(s.truthTexts, 0.1f, 43);
        ceiling.images = noisyUnitRows(s.truthImages, 0.1f, 44);
        const EvaluationOutcome o = evaluateSpaces({old, fresh, adapter, ceiling}, s.validation.split(), {10, {0, 0, 0.95}});
        const ConfigurationResult* c = o.find(ConfigurationRole::Ceiling);
        QVERIFY(c);
        QCOMPARE(QString::fromStdString(c->name), QStringLiteral("ceiling(diagnostic)->old"));
        VERIFY_CONTAINS(QString::fromStdString(roleDescription(*c)), "diagnostic");
        VERIFY_CONTAINS(QString::fromStdString(evaluationMarkdown(o)), "diagnostic ceiling, not a method");
        QCOMPARE(o.compatibility.size(), size_t(1));
        QVERIFY(o.compatibility[0].textToImage.gc1.has_value());
        QVERIFY(std::find(o.matrix.rows.begin(), o.matrix.rows.end(), "ceiling(diagnostic)") == o.matrix.rows.end());
        const json j = evaluationToJson(o);
        bool found = false;
        for (const json& cfg : j["configurations"])
            if (cfg["name"] == "ceiling(diagnostic)->old") {
                QCOMPARE(QString::fromStdString(cfg["role"].get<std::string>()), QStringLiteral("ceiling"));
                found = true;
            }
        QVERIFY(found);
        QVERIFY(j["compatibility"][0]["text_to_image"].contains("gain_recovery_ceiling"));
        // Negative flips are reported per configuration and survive a round trip.
        const EvaluationOutcome back = evaluationFromJson(j, "results.json");
        const ConfigurationResult* adapted = back.findConfiguration("new+phi->old");
        QVERIFY(adapted && adapted->negativeFlips.textToImage.has_value());
        QCOMPARE(adapted->negativeFlips.textToImage->at1, o.findConfiguration("new+phi->old")->negativeFlips.textToImage->at1);
        QVERIFY(back.find(ConfigurationRole::Ceiling));
        // With the ceiling comes the old gallery's tie bound, kept by the round trip.
        QVERIFY(o.tieBound.has_value());
        QCOMPARE(o.tieBound->gallery, std::string("old"));
        QVERIFY(back.tieBound.has_value());
        QCOMPARE(back.tieBound->imageToText.queries, o.tieBound->imageToText.queries);
        QCOMPARE(back.tieBound->imageToText.capped, o.tieBound->imageToText.capped);
        VERIFY_CONTAINS(QString::fromStdString(evaluationMarkdown(o)), "cannot tell apart");
    }
};

QTEST_GUILESS_MAIN(TestQueryInterpolation)
#include "test_query_interpolation.moc"

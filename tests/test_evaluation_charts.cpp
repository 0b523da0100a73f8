// Off-screen recall charts, the compatibility heat map and the stakeholder
// report (HTML + PDF), rendered from a hand-made results.json read through
// core's reader; the one writer of an evaluation's files.
#include "core/eval/EvaluationFiles.h"
#include "core/eval/EvaluationJson.h"
#include "tests/TestSupport.h"
#include "ui/charts/CompatibilityHeatMap.h"
#include "ui/charts/EvaluationCharts.h"
#include "ui/charts/EvaluationOutputs.h"
#include "ui/charts/ReportFormat.h"
#include "ui/charts/ReportHtml.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>

using namespace xbt;
using namespace xbt::charts;
using nlohmann::json;

namespace {

struct Figures {
    double r1, r5, r10;
};

// Recall curve through R@1, R@5, R@10 and 1.0 at K = 100, linear in log K.
json curveThrough(const Figures& f)
{
    const double ks[] = {1, 5, 10, 100};
    const double rs[] = {f.r1, f.r5, f.r10, 1.0};
    json curve = json::array();
    for (int k = 1; k <= 100; ++k) {
        int i = 0;
        while (i < 2 && k > ks[i + 1])
            ++i;
        const double t = (std::log(k) - std::log(ks[i])) / (std::log(ks[i + 1]) - std::log(ks[i]));
        curve.push_back(rs[i] + t * (rs[i + 1] - rs[i]));
    }
    return curve;
}

json summary(const Figures& f, long long queries, bool withCurve)
{
    json s = {{"queries", queries},
              {"R@1", f.r1},
              {"R@5", f.r5},
              {"R@10", f.r10},
              {"ci95", {{"R@1", {f.r1 - 0.015, f.r1 + 0.015}}, {"R@5", {f.r5 - 0.01, f.r5 + 0.01}},
                        {"R@10", {f.r10 - 0.008, f.r10 + 0.008}}}},
              {"mean_rank", 3.2},
              {"median_rank", 2}};
    if (withCurve)
        s["curve"] = curveThrough(f);
    return s;
}

json configuration(const std::string& name, const std::string& query, const std::string& gallery,
                   const std::string& role, const json& adapter, const Figures& t2i, const Figures& i2t)
{
    json c = {{"name", name},
              {"query", query},
              {"gallery", gallery},
              {"role", role},
              {"adapter", adapter},
              {"comparable", true},
              {"incompatible_comparison", false},
              {"note", ""},
              {"text_to_image", summary(t2i, 5000, true)},
              {"image_to_text", summary(i2t, 1000, true)},
              {"rsum", 100 * (t2i.r1 + t2i.r5 + t2i.r10 + i2t.r1 + i2t.r5 + i2t.r10)}};
    double shift = 0;
    for (const char* cat : {"binding", "count", "relation", "single"}) {
        const Figures a{t2i.r1 - shift, t2i.r5 - shift, t2i.r10 - shift};
        const Figures b{i2t.r1 - shift, i2t.r5 - shift, i2t.r10 - shift};
        c["per_category"][cat] = {{"text_to_image", summary(a, 1250, false)}, {"image_to_text", summary(b, 250, false)}};
        shift += 0.05;
    }
    return c;
}

json verdict(const char* c1, const char* c5, const char* c10, double g1, double g5, double g10)
{
    return {{"criterion", {{"R@1", c1}, {"R@5", c5}, {"R@10", c10}}},
            {"gain_recovery", {{"R@1", g1}, {"R@5", g5}, {"R@10", g10}}}};
}

json fixtureResults()
{
    json configs = json::array();
    configs.push_back(configuration("old->old", "old", "old", "today", nullptr, {0.436, 0.80, 0.90}, {0.406, 0.75, 0.86}));
    configs.push_back(configuration("new->new", "new", "new", "backfill", nullptr, {0.685, 0.93, 0.97}, {0.55, 0.88, 0.94}));
    configs.push_back({{"name", "new->old"},
                       {"query", "new"},
                       {"gallery", "old"},
                       {"role", "raw"},
                       {"adapter", nullptr},
                       {"comparable", false},
                       {"incompatible_comparison", true},
                       {"note", "not comparable: new embeddings have 256 dimensions, old 128"}});
    configs.push_back(
        configuration("new+xbt->old", "new+xbt", "old", "adapter", "xbt", {0.523, 0.85, 0.93}, {0.48, 0.80, 0.89}));
    configs.push_back(configuration("new->fct(old)", "new", "fct(old)", "gallery-transform", "fct", {0.60, 0.88, 0.95},
                                    {0.50, 0.83, 0.91}));
    return {
        {"command", "xbt eval --old sample-old --new sample-new --split /data/test --out /data/eval"},
        {"date", "2026-11-25T20:00:00Z"},
        {"split", {{"folder", "/data/test"}, {"images", 1000}, {"captions", 5000},
                   {"categories", {"binding", "count", "relation", "single"}}}},
        {"tie_rule", "pessimistic: an item ranks after every other item scoring >= it"},
        {"bootstrap", {{"samples", 1000}, {"seed", 0}, {"confidence", 0.95}}},
        {"models", {{"old", {{"model", "sample-old"}, {"fingerprint", "ab12cd34ef56ab12cd34"}, {"dims", 128},
                             {"images_per_second", 250.0}}},
                    {"new", {{"model", "sample-new"}, {"fingerprint", "cd34ef56ab12cd34ef56"}, {"dims", 256},
                             {"images_per_second", 120.0}}}}},
        {"adapters", {{{"name", "xbt"}, {"method", "xbt"}, {"kind", "query"}},
                      {{"name", "fct"}, {"method", "fct"}, {"kind", "gallery"}}}},
        {"configurations", configs},
        {"compatibility",
         {{{"adapter", "xbt"},
           {"configuration", "new+xbt->old"},
           {"text_to_image", verdict("pass", "pass", "within noise", 0.348, 0.38, 0.43)},
           {"image_to_text", verdict("pass", "pass", "fail", 0.503, 0.38, 0.375)}},
          {{"adapter", "fct"},
           {"configuration", "new->fct(old)"},
           {"text_to_image", verdict("pass", "pass", "pass", 0.66, 0.62, 0.71)},
           {"image_to_text", verdict("pass", "pass", "pass", 0.65, 0.62, 0.62)}}}},
        {"matrix", {{"rows", {"old", "new", "new+xbt"}},
                    {"columns", {"old", "new", "fct(old)"}},
                    {"text_to_image", {{0.436, nullptr, nullptr}, {nullptr, 0.685, 0.60}, {0.523, nullptr, nullptr}}},
                    {"image_to_text", {{0.406, nullptr, nullptr}, {nullptr, 0.55, 0.50}, {0.48, nullptr, nullptr}}}}},
        {"backfill", {{"gallery_images", 1000}, {"images_per_second", 120.0}, {"seconds_avoided", 8.3},
                      {"note", "a 10M-image gallery would take 23.1 h at this rate"}}}};
}

EvaluationOutcome fixtureOutcome() { return evaluationFromJson(fixtureResults(), "fixture results.json"); }

// The shape `xbt eval` wrote before roles, intervals, adapters and the matrix.
json olderResults()
{
    json r = fixtureResults();
    for (const char* key : {"adapters", "compatibility", "matrix", "backfill", "bootstrap"})
        r.erase(key);
    json configs = json::array();
    for (json c : r["configurations"]) {
        if (c["adapter"].is_string())
            continue;
        c.erase("role");
        c.erase("adapter");
        c.erase("per_category");
        if (c.contains("text_to_image"))
            for (const char* d : {"text_to_image", "image_to_text"})
                c[d].erase("ci95");
        configs.push_back(c);
    }
    r["configurations"] = configs;
    return r;
}

int distinctColors(const QImage& image)
{
    QSet<QRgb> colors;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2)
            colors.insert(image.pixel(x, y));
    return colors.size();
}

double inkFraction(const QImage& image)
{
    long long ink = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            if (qGray(image.pixel(x, y)) < 235)
                ++ink;
    return static_cast<double>(ink) / (static_cast<double>(image.width()) * image.height());
}

long long pixelsOfColor(const QImage& image, const QColor& color)
{
    long long n = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            if (image.pixel(x, y) == color.rgb())
                ++n;
    return n;
}

QString readText(const std::string& path)
{
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

}  // namespace

class TestEvaluationCharts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void recallChartsHaveTheRequestedSizeAndContent()
    {
        const EvaluationOutcome results = fixtureOutcome();
        for (RetrievalDirection d : kRetrievalDirections) {
            const QImage image = renderRecallChart(results, d, QSize(900, 600));
            QCOMPARE(image.size(), QSize(900, 600));
            QVERIFY2(distinctColors(image) > 100, directionKey(d));
            QVERIFY2(inkFraction(image) > 0.02, directionKey(d));
            // The first adapter's line is drawn in the first palette colour.
            QVERIFY2(pixelsOfColor(image, QColor(31, 119, 180)) > 200, directionKey(d));
        }
        QCOMPARE(renderRecallChart(results, RetrievalDirection::TextToImage).size(), QSize(1200, 800));
    }

    void heatMapWritesValuesAndGreysOutNotComparableCells()
    {
        const EvaluationOutcome results = fixtureOutcome();
        const CompatibilityHeatMap map(results.matrix, RetrievalDirection::TextToImage, QSize(1000, 700));
        QCOMPARE(map.cellText(0, 0), QStringLiteral("43.6%"));
        QCOMPARE(map.cellText(0, 1), QStringLiteral("n/c"));
        QCOMPARE(map.cellText(1, 2), QStringLiteral("60.0%"));
        const QImage image = map.render();
        QCOMPARE(image.size(), QSize(1000, 700));
        QVERIFY(distinctColors(image) > 50);
        const QPoint inside(6, 6);
        QCOMPARE(QColor(image.pixel(map.cellRect(0, 1).topLeft() + inside)), CompatibilityHeatMap::notComparableColor());
        QCOMPARE(QColor(image.pixel(map.cellRect(2, 2).topLeft() + inside)), CompatibilityHeatMap::notComparableColor());
        QVERIFY(QColor(image.pixel(map.cellRect(0, 0).topLeft() + inside)) != CompatibilityHeatMap::notComparableColor());
        QCOMPARE(renderCompatibilityMatrix(results, RetrievalDirection::ImageToText, QSize(800, 500)).size(),
                 QSize(800, 500));
    }

    void reportIsSelfContainedAndSaysTheHeadline()
    {
        QTemporaryDir dir;
        const ReportFiles files = writeEvaluationReport(fixtureOutcome(), dir.filePath("report").toStdString());
        QCOMPARE(files.pngs.size(), size_t(4));
        for (const char* name : {"recall_t2i.png", "recall_i2t.png", "matrix_t2i.png", "matrix_i2t.png"}) {
            const QImage png(dir.filePath(QStringLiteral("report/") + QLatin1String(name)));
            QVERIFY2(!png.isNull(), name);
            QCOMPARE(png.size(), QSize(1200, 800));
            QVERIFY2(inkFraction(png) > 0.02, name);
        }

        const QString html = readText(files.html);
        QVERIFY(html.contains(QStringLiteral("data:image/png;base64,")));
        const QRegularExpression fileSource(QStringLiteral("(src|href)\\s*=\\s*\"(?!data:)"));
        QVERIFY2(!html.contains(fileSource), "report.html refers to a file");
        QVERIFY(html.contains(QStringLiteral(
            "With adapter 'xbt', new-model text queries on the old gallery find the right image first 52.3% of the "
            "time, vs 43.6% today (full backfill: 68.5%).")));
        for (const char* name : {"old->old", "new->new", "new->old", "new+xbt->old", "new->fct(old)"})
            QVERIFY2(html.contains(QLatin1String(name)), name);
        QVERIFY(html.contains(QStringLiteral("not comparable")));
        QVERIFY(html.contains(QStringLiteral("256 dimensions")));
        QVERIFY(html.contains(QStringLiteral("within noise")));
        QVERIFY(html.contains(QStringLiteral("34.8%")));  // gain recovery of xbt, T2I R@1
        QVERIFY(html.contains(QStringLiteral("relation")));
        QVERIFY(html.contains(QStringLiteral("8.3 s")));
        QVERIFY(html.contains(QStringLiteral("cd34ef56ab12")));  // new model's fingerprint
        // The embedded charts are whole PNGs at the rendered size.
        const QRegularExpression dataUri(QStringLiteral("data:image/png;base64,([A-Za-z0-9+/=]+)"));
        int embedded = 0;
        for (auto it = dataUri.globalMatch(html); it.hasNext(); ++embedded) {
            const QImage image = QImage::fromData(QByteArray::fromBase64(it.next().captured(1).toLatin1()), "PNG");
            QCOMPARE(image.size(), QSize(1200, 800));
        }
        QCOMPARE(embedded, 4);

        QFile pdf(QString::fromStdString(files.pdf));
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        const QByteArray bytes = pdf.readAll();
        QVERIFY(bytes.startsWith("%PDF"));
        const int pages = static_cast<int>(
            QString::fromLatin1(bytes).count(QRegularExpression(QStringLiteral("/Type\\s*/Page(?!s)"))));
        QVERIFY2(pages >= 1, qPrintable(QString::number(pages)));
    }

    void olderResultsWithoutAdaptersStillRender()
    {
        const EvaluationOutcome parsed = evaluationFromJson(olderResults(), "older results.json");
        QCOMPARE(parsed.configurations.at(0).role, ConfigurationRole::Today);
        QCOMPARE(parsed.configurations.at(2).role, ConfigurationRole::Raw);
        QCOMPARE(parsed.matrix.rows, (std::vector<std::string>{"old", "new"}));
        QVERIFY(!parsed.matrix.textToImage.at(0).at(1).has_value());  // old queries, new gallery: not measured
        QTemporaryDir dir;
        const ReportFiles files = writeEvaluationReport(parsed, dir.path().toStdString());
        const QString html = readText(files.html);
        QVERIFY(html.contains(QStringLiteral("No adapter was evaluated")));
        QVERIFY(html.contains(QStringLiteral("43.6")));
        QVERIFY(html.contains(QStringLiteral("cannot search the old gallery")));
        // No intervals in the file: none shown, and no claim of them.
        QVERIFY(!html.contains(QStringLiteral("<span class=\"ci\">")));
        QVERIFY(!html.contains(QStringLiteral("confidence interval")));
        QVERIFY(html.contains(QStringLiteral("Not measured in this evaluation")));
    }

    // The report says the same from results.json as from the outcome it was
    // written from: the renderers use only what the file holds.
    void reportReadsTheSameFromResultsJson()
    {
        const EvaluationOutcome outcome = fixtureOutcome();
        const EvaluationOutcome reread = evaluationFromJson(evaluationToJson(outcome), "written results.json");
        const ReportMedium medium{[](const QString& name) { return name; }, QSize(600, 400), QString()};
        QCOMPARE(reportHtml(reread, medium), reportHtml(outcome, medium));
        QCOMPARE(renderRecallChart(reread, RetrievalDirection::ImageToText, QSize(600, 400)),
                 renderRecallChart(outcome, RetrievalDirection::ImageToText, QSize(600, 400)));
        const QString html = reportHtml(outcome, medium);
        QVERIFY(html.contains(QStringLiteral("Ties: pessimistic: an item ranks after every other item scoring >= it")));
        QVERIFY(html.contains(QStringLiteral("1,000 resamples")));
        QVERIFY(html.contains(QStringLiteral("transforms the stored old gallery embeddings once")));
        QVERIFY(html.contains(QStringLiteral("120.0 images/s")));
    }

    // With a re-ranking and a backfill curve the report has the upgrade
    // decision table and the curve, the same from results.json.
    void reportShowsTheUpgradePaths()
    {
        EvaluationOutcome outcome = fixtureOutcome();
        const ReportMedium medium{[](const QString& name) { return name; }, QSize(600, 400), QString()};
        QVERIFY(!reportHtml(outcome, medium).contains(QStringLiteral("<h2>Upgrade paths</h2>")));
        const ConfigurationResult* adapter = outcome.find(ConfigurationRole::Adapter);
        QVERIFY(adapter);
        ConfigurationResult rerank = *adapter;
        rerank.name += "+rerank@50";
        rerank.role = ConfigurationRole::Rerank;
        rerank.rerankK = 50;
        rerank.imagesPerQuery = 50;
        rerank.imagesOnce = 700;
        outcome.configurations.push_back(rerank);
        BackfillSeries series;
        series.order = "uncertainty";
        series.mix = "raw";
        for (double f : {0.0, 0.25, 1.0}) {
            BackfillPoint p;
            p.fraction = f;
            p.textToImage.r1 = 0.4 + 0.4 * f;
            p.imageToText.r1 = 0.3 + 0.5 * f;
            series.points.push_back(p);
        }
        outcome.backfillCurve.adapter = adapter->adapter;
        outcome.backfillCurve.series.push_back(series);
        const QString html = reportHtml(outcome, medium);
        QVERIFY(html.contains(QStringLiteral("<h2>Upgrade paths</h2>")));
        QVERIFY(html.contains(QString::fromStdString(rerank.name)));
        QVERIFY(html.contains(QStringLiteral("≤ 700 (kept for reuse)")));
        QVERIFY(html.contains(QStringLiteral("backfill 25% (uncertainty order, raw")));
        QVERIFY(html.contains(QStringLiteral("<h3>Backfill curve</h3>")));
        QVERIFY(html.contains(QStringLiteral("backfill_t2i.png")) && html.contains(QStringLiteral("backfill_i2t.png")));
        // The chart draws the uncertainty order's line in its colour.
        const QImage chart = renderBackfillCurveChart(outcome, RetrievalDirection::TextToImage, QSize(600, 400));
        int lineColoured = 0;
        for (int y = 0; y < chart.height(); ++y)
            for (int x = 0; x < chart.width(); ++x)
                lineColoured += chart.pixelColor(x, y) == QColor(31, 119, 180) ? 1 : 0;
        QVERIFY2(lineColoured > 100, qPrintable(QString::number(lineColoured)));
        // The report writes the two curve charts beside the others.
        QTemporaryDir dir;
        const ReportFiles files = writeEvaluationReport(outcome, dir.path().toStdString());
        QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("backfill_t2i.png"))));
        QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("backfill_i2t.png"))));
        const EvaluationOutcome reread = evaluationFromJson(evaluationToJson(outcome), "written results.json");
        QCOMPARE(reportHtml(reread, medium), html);
    }

    // One writer: the data files, the charts and the report in one folder.
    void evaluationOutputsAreEveryFile()
    {
        QTemporaryDir dir;
        const EvaluationOutcome outcome = fixtureOutcome();
        const EvaluationOutputFiles files = writeEvaluationOutputs(outcome, dir.path().toStdString());
        const std::vector<std::string> all = files.all();
        QCOMPARE(all.size(), size_t(9));
        QCOMPARE(all.front(), files.report.html);
        for (const std::string& f : all)
            QVERIFY2(QFileInfo(QString::fromStdString(f)).size() > 0, f.c_str());
        QCOMPARE(readText(dir.filePath(QStringLiteral("results.md")).toStdString()),
                 QString::fromStdString(evaluationMarkdown(outcome)));
        QCOMPARE(readText(dir.filePath(QStringLiteral("recall.csv")).toStdString()),
                 QString::fromStdString(evaluationRecallCsv(outcome)));
        QCOMPARE(readEvaluationFile(dir.filePath(QStringLiteral("results.json")).toStdString()).configurations.size(),
                 outcome.configurations.size());
    }

    void numbersReadTheSameEverywhere()
    {
        QCOMPARE(percentText(0.5234), QStringLiteral("52.3%"));
        QCOMPARE(countText(1234567), QStringLiteral("1,234,567"));
        QCOMPARE(countText(999), QStringLiteral("999"));
        QCOMPARE(durationText(8.3), QStringLiteral("8.3 s"));
        QCOMPARE(durationText(150), QStringLiteral("2.5 min"));
        QCOMPARE(durationText(83160), QStringLiteral("23.1 h"));
    }

    void cliRendersTheReportFromResultsJson()
    {
        QTemporaryDir dir;
        const std::string results = test::writeTestFile(dir, QStringLiteral("results.json"), fixtureResults().dump(2));
        const test::CliResult r = test::runCli(
            {QStringLiteral("report"), QStringLiteral("--results"), QString::fromStdString(results),
             QStringLiteral("--out"), dir.filePath(QStringLiteral("out"))});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        for (const char* name : {"report.html", "report.pdf", "recall_t2i.png", "matrix_i2t.png"})
            QVERIFY2(QFile::exists(dir.filePath(QStringLiteral("out/") + QLatin1String(name))), name);
        const std::string garbage = test::writeTestFile(dir, QStringLiteral("bad.json"), "{not json");
        const test::CliResult bad = test::runCli({QStringLiteral("report"), QStringLiteral("--results"),
                                                  QString::fromStdString(garbage), QStringLiteral("--out"),
                                                  dir.filePath(QStringLiteral("out2"))});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("not valid JSON"), bad.err.constData());
    }
};

QTEST_MAIN(TestEvaluationCharts)
#include "test_evaluation_charts.moc"

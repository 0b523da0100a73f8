// The workbench on a small generated workspace (offscreen): every panel
// builds; Explore's columns agree with GallerySearch; an image query works;
// engine jobs never run on the GUI thread; cancel stops a job; training
// from the Train panel adds an adapter; the Evaluate panel shows
// runEvaluation's numbers and exports its files from a job; demo mode shows one query in four columns under
// the evaluation's headline, pages through the demo list and saves it; the
// stall diagnostic measures real jobs; the Index panel imports embeddings;
// the Models panel switches a model (and refuses a broken one).
#include "core/adapt/AdapterStore.h"
#include "core/adapt/AdapterTraining.h"
#include "core/adapt/CompatibilityAdapter.h"
#include "core/eval/EvaluationResults.h"
#include "core/eval/UpgradeDecision.h"
#include "core/gallery/GalleryIndexer.h"
#include "core/gallery/GallerySearch.h"
#include "core/gallery/GalleryStore.h"
#include "core/workspace/Workspace.h"
#include "core/model/ModelLoader.h"
#include "core/workspace/DemoQueryList.h"
#include "core/pipeline/EvaluationPipeline.h"
#include "core/workspace/UpgradeProfile.h"
#include "core/sample/SampleWorldGenerator.h"
#include "core/data/CaptionedSplit.h"
#include "core/util/FileUtil.h"
#include "core/util/NpyFile.h"
#include "core/workspace/WorkspaceLayout.h"
#include "ui/workbench/DemoHeadline.h"
#include "ui/workbench/DemoListEditor.h"
#include "ui/workbench/DemoView.h"
#include "ui/workbench/EvaluatePanel.h"
#include "ui/workbench/ExplorePanel.h"
#include "ui/workbench/IndexPanel.h"
#include "ui/workbench/Job.h"
#include "ui/workbench/JobRunner.h"
#include "ui/workbench/MethodSettingsForm.h"
#include "ui/workbench/MainWindow.h"
#include "ui/workbench/ModelSpecChooser.h"
#include "ui/workbench/ModelsPanel.h"
#include "ui/workbench/ResultColumnView.h"
#include "ui/workbench/ResultListModel.h"
#include "ui/workbench/StallDiagnostic.h"
#include "ui/workbench/TrainPanel.h"
#include "core/pipeline/UpgradeSession.h"
#include "tests/TestSupport.h"
#include "tests/TinySampleRecipe.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>

using namespace xbt;
using namespace xbt::ui;
namespace fs = std::filesystem;

namespace {

// One thread: on a loaded machine spinning OpenMP threads slow the towers down.
ModelOptions cpuOptions()
{
    ModelOptions o;
    o.device = "cpu";
    o.threads = 1;
    return o;
}

QString absolute(const SearchResults& r, const SearchHit& h)
{
    return QDir::cleanPath(QString::fromStdString(r.root) + QLatin1Char('/') + QString::fromStdString(h.path));
}

// A job whose work is given by the test; records the thread it ran on.
class ProbeJob : public Job {
public:
    explicit ProbeJob(std::function<void(JobContext&)> work) : Job(QStringLiteral("probe")), work_(std::move(work)) {}
    void run(JobContext& context) override
    {
        ranOn = QThread::currentThread();
        work_(context);
    }
    QThread* ranOn = nullptr;

private:
    std::function<void(JobContext&)> work_;
};

// The latest job called `title` finished on a worker thread.
bool latestJobRanOnAWorker(const JobRunner& runner, const QString& title)
{
    JobRecord latest;
    for (const JobRecord& job : runner.history())
        if (job.title == title && job.id > latest.id)
            latest = job;
    return latest.id != 0 && latest.ok && latest.thread && latest.thread != qApp->thread();
}

}  // namespace

class TestWorkbench : public QObject {
    Q_OBJECT
private:
    QTemporaryDir root_;
    std::string ws_, split_, corpus_;
    CaptionedSplit captions_;
    std::unique_ptr<MainWindow> window_;

    MainWindow& openWindow()
    {
        if (!window_) {
            WorkbenchOptions o;
            o.modelOptions = cpuOptions();
            window_ = std::make_unique<MainWindow>(o);
            QSignalSpy opened(window_.get(), &MainWindow::workspaceOpened);
            window_->openWorkspace(QString::fromStdString(ws_));
            if (!opened.wait(120000))
                qFatal("the workspace did not open");
        }
        return *window_;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("xbt-test"));
        QCoreApplication::setApplicationName(QStringLiteral("test_workbench"));
        QVERIFY(root_.isValid());
        ws_ = root_.filePath(QStringLiteral("ws")).toStdString();
        split_ = ws_ + "/data/test";
        Workspace::open(ws_, Workspace::Mode::ReadWrite);  // creates it: it must exist before data goes in
        SampleWorldOptions g;
        g.outDir = split_;
        g.split = SampleSplit::Test;
        g.count = 48;
        g.threads = 2;
        generateSampleWorld(g);
        captions_ = loadCaptionedSplit(split_);
        corpus_ = ws_ + "/data/corpus.txt";
        {
            std::ofstream out(corpus_);
            for (const std::string& c : captions_.captions)
                out << c << "\n";
        }
        {
            Workspace ws = Workspace::open(ws_, Workspace::Mode::ReadWrite);
            for (const auto& [gallery, spec] : {std::pair<std::string, std::string>{"old", "sample-old"}, {"new", "sample-new"}}) {
                auto model = loadModel(spec, cpuOptions());
                IndexRunOptions o;
                o.root = split_;
                o.gallery = gallery;
                o.modelSpec = spec;
                o.captionsFile = split_ + "/captions.tsv";
                o.decodeThreads = 1;
                const IndexRunSummary s = GalleryIndexer(ws, *model, o).run();
                QCOMPARE(s.added, static_cast<int64_t>(captions_.images.size()));
            }
        }
        AdapterTrainRequest r;
        r.method = "lstsq";
        r.name = "lstsq";
        r.workspaceDir = ws_;
        r.oldModel = "sample-old";
        r.newModel = "sample-new";
        r.modelOptions = cpuOptions();
        r.corpusFile = corpus_;
        r.config = {{"image_pairs", false}};
        r.device = "cpu";
        trainAdapter(r);
        UpgradeProfile p;
        p.oldModel = "sample-old";
        p.newModel = "sample-new";
        p.oldGallery = "old";
        p.newGallery = "new";
        p.evalSplit = "data/test";
        p.defaultAdapter = "lstsq";
        saveUpgradeProfile(ws_, p);
    }

    void cleanupTestCase() { window_.reset(); }

    void jobRunnerRunsWorkOffTheGuiThread()
    {
        JobRunner runner;
        auto* job = new ProbeJob([](JobContext&) {});
        QThread* worker = nullptr;
        bool done = false;
        connect(job, &Job::succeeded, this, [&, job] {
            worker = job->ranOn;
            done = true;
            QCOMPARE(QThread::currentThread(), qApp->thread());  // completions come back to the GUI
        });
        runner.start(job);
        QVERIFY(runner.waitForIdle(10000));
        QVERIFY(done);
        QVERIFY(worker != qApp->thread());
        QCOMPARE(runner.history().size(), 1);
        QCOMPARE(runner.history().first().thread, worker);
    }

    void cancelStopsAJob()
    {
        JobRunner runner;
        std::atomic<int> loops{0};
        bool completed = false, failedCancelled = false;
        QSignalSpy progress(&runner, &JobRunner::jobProgress);
        auto* job = new ProbeJob([&loops](JobContext& ctx) {
            for (;;) {
                ctx.cancel().throwIfCancelled();
                ctx.progress()(Progress{"looping", ++loops, 0, 0.0, -1.0, {}});
                QThread::msleep(10);
            }
        });
        connect(job, &Job::succeeded, this, [&] { completed = true; });
        connect(job, &Job::failed, this, [&](const QString&, bool cancelled) { failedCancelled = cancelled; });
        const int id = runner.start(job);
        QTRY_VERIFY_WITH_TIMEOUT(loops > 5, 10000);
        runner.cancel(id);
        QVERIFY(runner.waitForIdle(10000));
        QVERIFY(!completed);
        QVERIFY(failedCancelled);
        QVERIFY(runner.record(id).cancelled);
        QVERIFY(progress.count() > 0);
    }

    void everyPanelBuilds()
    {
        MainWindow& w = openWindow();
        QVERIFY(w.explore() && w.evaluate() && w.train() && w.index() && w.models());
        QCOMPARE(w.models()->modelsTable()->rowCount(), 2);
        QCOMPARE(w.models()->modelsTable()->item(0, 3)->text(), QStringLiteral("128"));
        QCOMPARE(w.models()->modelsTable()->item(1, 3)->text(), QStringLiteral("256"));
        QVERIFY(w.models()->adaptersTable()->rowCount() >= 1);
        QCOMPARE(w.explore()->adapter(), QStringLiteral("lstsq"));
        for (const char* tab : {"explore", "evaluate", "train", "index", "models"}) {
            w.showTab(QString::fromLatin1(tab));
            QCoreApplication::processEvents();
        }
        w.resize(1366, 768);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
    }

    void textQueryFillsEveryColumn()
    {
        MainWindow& w = openWindow();
        const std::string text = captions_.captions.front();
        QSignalSpy finished(w.explore(), &ExplorePanel::queryFinished);
        w.explore()->runTextQuery(QString::fromStdString(text));
        QVERIFY(finished.wait(120000));
        QCOMPARE(w.explore()->columnCount(), 4);

        // The same searches done directly through the engine.
        Workspace ws = Workspace::open(ws_, Workspace::Mode::ReadOnly);
        std::shared_ptr<EmbeddingModel> oldModel = loadModel("sample-old", cpuOptions());
        std::shared_ptr<EmbeddingModel> newModel = loadModel("sample-new", cpuOptions());
        auto adapted = makeAdaptedModel(newModel, loadAdapter(ws, "lstsq"), cpuOptions());
        SearchOptions o;
        o.k = 24;
        const SearchResults expected[] = {GallerySearch(ws, "old").byText(*oldModel, text, o), SearchResults{},
                                          GallerySearch(ws, "old").byText(*adapted, text, o),
                                          GallerySearch(ws, "new").byText(*newModel, text, o)};
        for (int c : {0, 2, 3}) {
            ResultColumnView* column = w.explore()->column(c);
            QVERIFY2(!column->showsUnavailable(), qPrintable(column->title()));
            ResultListModel* model = column->model();
            QCOMPARE(model->rowCount(), 24);
            QCOMPARE(model->data(model->index(0), ResultListModel::PathRole).toString(),
                     absolute(expected[c], expected[c].hits.front()));
            QCOMPARE(model->data(model->index(0), ResultListModel::RankRole).toInt(), 1);
        }
        // 256-d queries cannot search a 128-d gallery: a clear panel, no results.
        QVERIFY(w.explore()->column(1)->showsUnavailable());
        // The caption belongs to the split's first image: it is marked.
        const QString truth = QDir::cleanPath(QString::fromStdString(split_ + "/" + captions_.images[size_t(captions_.captionImage[0])]));
        QCOMPARE(QString::fromStdString(w.explore()->lastOutcome()->groundTruthImage), truth);
        bool marked = false;
        ResultListModel* today = w.explore()->column(0)->model();
        for (int row = 0; row < today->rowCount(); ++row)
            if (today->data(today->index(row), ResultListModel::PathRole).toString() == truth)
                marked = today->data(today->index(row), ResultListModel::GroundTruthRole).toBool();
        QVERIFY(marked);
        // Hovering one result highlights the same image in every column.
        const QString top = today->data(today->index(0), ResultListModel::PathRole).toString();
        QMetaObject::invokeMethod(w.explore()->column(0), "hovered", Q_ARG(QString, top));
        ResultListModel* backfill = w.explore()->column(3)->model();
        for (int row = 0; row < backfill->rowCount(); ++row)
            QCOMPARE(backfill->data(backfill->index(row), ResultListModel::HighlightRole).toBool(),
                     backfill->data(backfill->index(row), ResultListModel::PathRole).toString() == top);
        // Thumbnails arrive off the GUI thread.
        QTRY_VERIFY_WITH_TIMEOUT(!today->data(today->index(0), ResultListModel::ThumbnailRole).value<QImage>().isNull(), 30000);
    }

    void imageQueryRanksCaptions()
    {
        MainWindow& w = openWindow();
        const std::string image = split_ + "/" + captions_.images[1];
        QSignalSpy finished(w.explore(), &ExplorePanel::queryFinished);
        w.explore()->runImageQuery(QString::fromStdString(image));
        QVERIFY(finished.wait(120000));
        ResultListModel* today = w.explore()->column(0)->model();
        QVERIFY(today->captions());
        QVERIFY(today->rowCount() > 0);
        Workspace ws = Workspace::open(ws_, Workspace::Mode::ReadOnly);
        auto oldModel = loadModel("sample-old", cpuOptions());
        SearchOptions o;
        o.k = 24;
        o.target = SearchTarget::Captions;
        const SearchResults expected = GallerySearch(ws, "old").byImage(*oldModel, image, o);
        QCOMPARE(today->data(today->index(0), ResultListModel::CaptionRole).toString(),
                 QString::fromStdString(expected.hits.front().caption));
        QVERIFY(!w.explore()->lastOutcome()->groundTruthCaptions.empty());
        QVERIFY(w.explore()->column(2)->model()->rowCount() > 0);
    }

    void engineWorkNeverRanOnTheGuiThread()
    {
        MainWindow& w = openWindow();
        QVERIFY(w.jobs()->history().size() >= 3);
        for (const JobRecord& r : w.jobs()->history()) {
            QVERIFY2(r.thread != nullptr, qPrintable(r.title));
            QVERIFY2(r.thread != qApp->thread(), qPrintable(r.title));
        }
    }

    void trainPanelAddsAnAdapter()
    {
        MainWindow& w = openWindow();
        w.train()->setMethod(QStringLiteral("procrustes"));
        w.train()->setData(QString::fromStdString(corpus_), QString(), QString());
        w.train()->setAdapterName(QStringLiteral("procrustes-ui"));
        w.train()->settingsForm()->setValue("image_pairs", false);
        QSignalSpy trained(w.train(), &TrainPanel::adapterTrained);
        QSignalSpy failed(w.train(), &TrainPanel::trainingFailed);
        QSignalSpy reopened(&w, &MainWindow::workspaceOpened);
        w.train()->start();
        QTRY_VERIFY_WITH_TIMEOUT(trained.count() + failed.count() > 0, 120000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        QTRY_VERIFY_WITH_TIMEOUT(reopened.count() > 0, 60000);
        QCOMPARE(w.explore()->adapter(), QStringLiteral("procrustes-ui"));
        bool listed = false;
        for (int row = 0; row < w.models()->adaptersTable()->rowCount(); ++row)
            listed |= w.models()->adaptersTable()->item(row, 0)->text() == QStringLiteral("procrustes-ui");
        QVERIFY(listed);
    }

    // The Train tab's second box: the new model retrained compatible with
    // the old one (here BCT on a tiny recipe), on a worker, with live charts;
    // the Models tab then offers the folder as the new model.
    void trainPanelTrainsACompatibleModel()
    {
        MainWindow& w = openWindow();
        const QString recipe = root_.filePath(QStringLiteral("tiny-recipe.json"));
        writeFileAtomic(recipe.toStdString(), xbt::test::tinySampleRecipe(16, 2).toJsonText());
        const QString out = root_.filePath(QStringLiteral("tiny-bct"));
        w.train()->setCompatibleInputs(QStringLiteral("bct"), recipe, 0, out);
        QSignalSpy trained(w.train(), &TrainPanel::modelTrained);
        QSignalSpy failed(w.train(), &TrainPanel::trainingFailed);
        w.train()->startCompatibleTraining();
        QVERIFY(w.train()->running());
        QTRY_VERIFY_WITH_TIMEOUT(trained.count() + failed.count() > 0, 300000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        QCOMPARE(trained.first().first().toString(), out);
        QVERIFY(latestJobRanOnAWorker(*w.jobs(), QStringLiteral("Training a compatible model (bct)")));
        VERIFY_CONTAINS(w.train()->statusText(), "Saved compatible model tiny-bct");
        QVERIFY(w.train()->lossPoints() > 0);
        QVERIFY(w.train()->validationPoints() > 0);
        // The model declares what it is compatible with, at the old model's size (bct).
        const nlohmann::json saved =
            nlohmann::json::parse(readFileBytes(out.toStdString() + "/sample-model.json"));
        QCOMPARE(saved["embedding_dim"].get<int>(), 128);
        QCOMPARE(saved["compatibility"]["old_fingerprint"].get<std::string>(),
                 loadModel("sample-old", cpuOptions())->fingerprint());
        QCOMPARE(w.models()->newChooser()->spec(), out);
    }

    void evaluatePanelShowsRunEvaluationsNumbers()
    {
        MainWindow& w = openWindow();
        QSignalSpy finished(w.evaluate(), &EvaluatePanel::evaluationFinished);
        QSignalSpy failed(w.evaluate(), &EvaluatePanel::evaluationFailed);
        w.evaluate()->setUpgradePaths(true);
        w.evaluate()->runEvaluation();
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, 240000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));

        EvaluationRequest request;
        request.oldModel = "sample-old";
        request.newModel = "sample-new";
        request.modelOptions = cpuOptions();
        request.splitDir = split_;
        request.workspaceDir = ws_;
        request.options.rerankK = {10, 50};  // "Upgrade paths" on
        request.backfillCurve = true;
        const EvaluationOutcome expected = runEvaluation(request).outcome;
        QStandardItemModel* table = w.evaluate()->recallTable();
        QCOMPARE(table->rowCount(), static_cast<int>(expected.configurations.size()));
        int compared = 0;
        for (int row = 0; row < table->rowCount(); ++row) {
            const ConfigurationResult* c = expected.findConfiguration(table->item(row, 0)->text().toStdString());
            QVERIFY(c);
            if (!c->comparable)
                continue;
            QCOMPARE(table->item(row, 2)->data(Qt::UserRole).toDouble(), c->textToImage.r1);
            QCOMPARE(table->item(row, 5)->data(Qt::UserRole).toDouble(), c->imageToText.r1);
            ++compared;
        }
        QVERIFY(compared >= 4);  // old->old, new->new and both adapters
        QVERIFY(w.evaluate()->criterionTable()->rowCount() >= 2);
        // Negative flips beside recall, the same as the evaluation's; the
        // flipped queries reach Explore's list; the recommendation is shown.
        for (int row = 0; row < table->rowCount(); ++row) {
            const ConfigurationResult* c = expected.findConfiguration(table->item(row, 0)->text().toStdString());
            if (c->role == ConfigurationRole::Adapter && c->negativeFlips.textToImage)
                QCOMPARE(table->item(row, 8)->text(),
                         QString::number(100.0 * c->negativeFlips.textToImage->at1, 'f', 1) + QStringLiteral("%"));
        }
        int flipped = 0;
        for (const ConfigurationResult& c : expected.configurations)
            if (c.role == ConfigurationRole::Adapter)
                for (RetrievalDirection d : kRetrievalDirections)
                    flipped += c.negativeFlips.in(d) ? static_cast<int>(c.negativeFlips.in(d)->flippedAt1.size()) : 0;
        QCOMPARE(w.explore()->flippedQueryCount(), flipped);
        QVERIFY(expected.recommendation.decided);
        // The decision table: its rows, and each row's R@1 the same as the evaluation's.
        const std::vector<UpgradePathRow> paths = upgradePathRows(expected);
        QVERIFY(!paths.empty() && expected.find(ConfigurationRole::Rerank));
        QCOMPARE(w.evaluate()->decisionTable()->rowCount(), static_cast<int>(paths.size()));
        for (int row = 0; row < w.evaluate()->decisionTable()->rowCount(); ++row)
            QCOMPARE(w.evaluate()->decisionTable()->item(row, 1)->data(Qt::UserRole).toDouble(),
                     paths[static_cast<size_t>(row)].t2iR1);
        // Each path's text query was timed; re-ranking 50 candidates from
        // their files costs more than the adapter's query alone.
        const std::string adapter = expected.find(ConfigurationRole::Adapter)->adapter;
        const auto latency = [&](ConfigurationRole role, int k) {
            for (const ConfigurationResult& c : expected.configurations)
                if (c.role == role && c.rerankK == k && (c.adapter.empty() || c.adapter == adapter))
                    return c.textQueryLatency;
            return std::optional<QueryLatency>();
        };
        for (ConfigurationRole role : {ConfigurationRole::Today, ConfigurationRole::Backfill})
            QVERIFY(latency(role, 0) && latency(role, 0)->p50Ms > 0);
        const std::optional<QueryLatency> adapterOnly = latency(ConfigurationRole::Adapter, 0);
        const std::optional<QueryLatency> reranked = latency(ConfigurationRole::Rerank, 50);
        QVERIFY(adapterOnly && reranked && expected.backfillCurve.mixedTextQueryLatency);
        QCOMPARE(reranked->queries, 50);
        QVERIFY(reranked->p95Ms >= reranked->p50Ms);
        QVERIFY(reranked->p50Ms > adapterOnly->p50Ms);
        const int latencyColumn = 3 + static_cast<int>(std::find(upgradePathTextHeaders().begin(),
                                                                 upgradePathTextHeaders().end(),
                                                                 std::string("text query p50 / p95 ms")) -
                                                       upgradePathTextHeaders().begin());
        // (The panel's run timed its own queries: the same form, not the same milliseconds.)
        for (int row = 0; row < w.evaluate()->decisionTable()->rowCount(); ++row)
            QVERIFY(QRegularExpression(QStringLiteral("^\\d+\\.\\d / \\d+\\.\\d$"))
                        .match(w.evaluate()->decisionTable()->item(row, latencyColumn)->text())
                        .hasMatch());
        QVERIFY(w.evaluate()->recommendationText().contains(QString::fromStdString(expected.recommendation.reason)
                                                                .toHtmlEscaped()));
        // Kept in the workspace, by a job: every file `xbt eval` writes.
        QVERIFY(latestJobRanOnAWorker(*w.jobs(), QStringLiteral("Keeping the results in the workspace")));
        const QDir kept(QString::fromStdString(WorkspaceLayout(ws_).workbenchResultsDir()));
        for (const char* name : {"results.json", "recall.csv", "results.md", "report.html", "report.pdf",
                                 "recall_t2i.png", "recall_i2t.png", "matrix_t2i.png", "matrix_i2t.png"})
            QVERIFY2(QFileInfo(kept.filePath(QLatin1String(name))).size() > 0, name);
    }
    void evaluatePanelExportsOnAWorker()
    {
        MainWindow& w = openWindow();
        EvaluatePanel* panel = w.evaluate();
        QTemporaryDir out;
        QSignalSpy exported(panel, &EvaluatePanel::exported);
        QSignalSpy failed(panel, &EvaluatePanel::exportFailed);
        auto waitForExport = [&](const QString& job) {
            QTRY_VERIFY_WITH_TIMEOUT(exported.count() + failed.count() > 0, 120000);
            QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
            QVERIFY2(latestJobRanOnAWorker(*w.jobs(), job), qPrintable(job));
        };

        panel->exportReportTo(out.filePath(QStringLiteral("report")));
        waitForExport(QStringLiteral("Writing the report"));
        if (QTest::currentTestFailed())
            return;
        for (const char* name : {"report.html", "report.pdf", "results.json", "recall.csv", "results.md",
                                 "recall_t2i.png", "recall_i2t.png", "matrix_t2i.png", "matrix_i2t.png",
                                 // the evaluation above measured upgrade paths: the backfill curve's charts
                                 "backfill_t2i.png", "backfill_i2t.png"})
            QVERIFY2(QFileInfo(out.filePath(QStringLiteral("report/") + QLatin1String(name))).size() > 0, name);
        QCOMPARE(exported.first().first().toStringList().size(), 11);

        exported.clear();
        panel->exportPngsTo(out.filePath(QStringLiteral("png")));
        waitForExport(QStringLiteral("Exporting the charts"));
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(QImage(out.filePath(QStringLiteral("png/recall_t2i.png"))).size(), QSize(1200, 800));
        QVERIFY(!QImage(out.filePath(QStringLiteral("png/recall_i2t.png"))).isNull());

        exported.clear();
        panel->exportCsvTo(out.filePath(QStringLiteral("recall.csv")));
        waitForExport(QStringLiteral("Exporting recall.csv"));
        if (QTest::currentTestFailed())
            return;
        QVERIFY(QString::fromStdString(readFileBytes(out.filePath(QStringLiteral("recall.csv")).toStdString()))
                    .contains(QStringLiteral("old->old")));
    }

    void demoListParsing()
    {
        const std::vector<std::string> q = parseDemoQueries("# a comment\n  a red circle \r\n\n#another\nblue star\n");
        QCOMPARE(q.size(), size_t(2));
        QCOMPARE(QString::fromStdString(q[0]), QStringLiteral("a red circle"));
        QCOMPARE(QString::fromStdString(q[1]), QStringLiteral("blue star"));
    }

    void demoModeShowsOneQueryInFourColumns()
    {
        MainWindow& w = openWindow();
        DemoView* demo = w.demo();
        // The test workspace starts without a demo list: saving one creates
        // the file and points upgrade.json at it.
        const QString list = QStringLiteral("# demo\n%1\n%2\n")
                                 .arg(QString::fromStdString(captions_.captions[0]), QString::fromStdString(captions_.captions[5]));
        QSignalSpy saved(demo, &DemoView::queriesSaved);
        QSignalSpy saveFailed(demo, &DemoView::saveFailed);
        demo->saveQueries(list);
        QTRY_VERIFY_WITH_TIMEOUT(saved.count() + saveFailed.count() > 0, 30000);
        QVERIFY2(saveFailed.isEmpty(), saveFailed.isEmpty() ? "" : qPrintable(saveFailed.first().first().toString()));
        QCOMPARE(demo->queries().size(), 2);
        QCOMPARE(QString::fromStdString(readFileBytes(ws_ + "/demo-queries.txt")), list);
        QCOMPARE(QString::fromStdString(loadUpgradeProfile(ws_).demoQueries), QStringLiteral("demo-queries.txt"));

        QSignalSpy finished(demo, &DemoView::queryFinished);
        QSignalSpy headline(demo, &DemoView::headlineReady);
        w.resize(1366, 768);
        w.show();
        w.enterDemoMode(false);
        QVERIFY(w.inDemoMode());
        // Showing the demo searches the list's first query.
        QVERIFY(finished.wait(120000));
        QCOMPARE(demo->currentIndex(), 0);
        QCOMPARE(QString::fromStdString(demo->lastOutcome()->query.text), QString::fromStdString(captions_.captions[0]));
        QCOMPARE(demo->columnCount(), 4);
        const QStringList titles = {QStringLiteral("Today"), QStringLiteral("Naive upgrade"),
                                    QStringLiteral("Compatible upgrade"), QStringLiteral("Full re-index")};
        for (int c = 0; c < 4; ++c)
            QCOMPARE(demo->column(c)->title(), titles[c]);
        // Same engine search as Explore's today column, first result first.
        Workspace ws = Workspace::open(ws_, Workspace::Mode::ReadOnly);
        SearchOptions o;
        o.k = 8;
        const SearchResults today = GallerySearch(ws, "old").byText(*loadModel("sample-old", cpuOptions()), captions_.captions[0], o);
        for (int c : {0, 2, 3}) {
            QVERIFY2(!demo->column(c)->showsUnavailable(), qPrintable(demo->column(c)->title()));
            QCOMPARE(demo->column(c)->model()->rowCount(), 8);
        }
        QCOMPARE(demo->column(0)->model()->data(demo->column(0)->model()->index(0), ResultListModel::PathRole).toString(),
                 absolute(today, today.hits.front()));
        // 256-d new queries against the 128-d old gallery: the not-comparable panel.
        QVERIFY(demo->column(1)->showsUnavailable());

        // The headline: the old gallery's size, and the recall of the
        // evaluation the Evaluate test kept in the workspace.
        QTRY_VERIFY_WITH_TIMEOUT(demo->headline().has_value(), 60000);
        QCOMPARE(demo->headline()->galleryImages, static_cast<int64_t>(captions_.images.size()));
        QVERIFY2(demo->headline()->adaptedR1.has_value(), demo->headline()->recallMissing.c_str());
        QStandardItemModel* recall = w.evaluate()->recallTable();
        for (int row = 0; row < recall->rowCount(); ++row) {
            const QString name = recall->item(row, 0)->text();
            if (name == QStringLiteral("old->old"))
                QCOMPARE(*demo->headline()->todayR1, recall->item(row, 2)->data(Qt::UserRole).toDouble());
            if (name == QStringLiteral("new+lstsq->old"))
                QCOMPARE(*demo->headline()->adaptedR1, recall->item(row, 2)->data(Qt::UserRole).toDouble());
            // That evaluation re-ranked each adapter's top 10 and 50: the headline has the top 50's line.
            if (name == QStringLiteral("new+lstsq->old+rerank@50"))
                QCOMPARE(*demo->headline()->rerankR1, recall->item(row, 2)->data(Qt::UserRole).toDouble());
        }
        QCOMPARE(demo->headline()->rerankK, 50);
        QVERIFY(demo->headlineText().contains(QStringLiteral("Re-ranking the top 50 with the new model")));
        QVERIFY(demo->headline()->secondsSaved().has_value());
        QVERIFY(!demo->headlineText().isEmpty());
        // The same evaluation's upgrade decision table, on request (Ctrl+U):
        // the Evaluate tab's rows, R@1 and latency alike.
        QStandardItemModel* decision = w.evaluate()->decisionTable();
        QStandardItemModel* paths = demo->upgradePathsTable();
        QVERIFY(decision->rowCount() > 0);
        QCOMPARE(paths->rowCount(), decision->rowCount());
        for (int row = 0; row < paths->rowCount(); ++row) {
            QCOMPARE(paths->item(row, 0)->text(), decision->item(row, 0)->text());
            QCOMPARE(paths->item(row, 1)->text(), decision->item(row, 1)->text() + QStringLiteral("%"));
            QCOMPARE(paths->item(row, 6)->text(), decision->item(row, 10)->text());
        }
        QVERIFY(!demo->upgradePathsShown());
        demo->setUpgradePathsShown(true);
        QVERIFY(demo->upgradePathsShown());
        demo->setUpgradePathsShown(false);

        // Next and previous page through the list (and wrap around).
        finished.clear();
        demo->next();
        QVERIFY(finished.wait(120000));
        QCOMPARE(demo->currentIndex(), 1);
        QCOMPARE(QString::fromStdString(demo->lastOutcome()->query.text), QString::fromStdString(captions_.captions[5]));
        // The presenter's keys: PageDown / Right next, PageUp / Left previous.
        demo->setFocus();
        finished.clear();
        QTest::keyClick(demo, Qt::Key_PageDown);
        QVERIFY(finished.wait(120000));
        QCOMPARE(demo->currentIndex(), 0);
        finished.clear();
        QTest::keyClick(demo, Qt::Key_Left);
        QVERIFY(finished.wait(120000));
        QCOMPARE(demo->currentIndex(), 1);
        // The re-rank option: the compatible column becomes "compatible + re-rank @50".
        finished.clear();
        demo->setRerankDepth(50);
        QVERIFY(finished.wait(120000));
        QCOMPARE(demo->column(2)->title(), QStringLiteral("Compatible + re-rank @50"));
        QCOMPARE(demo->lastOutcome()->query.rerankK, 50);
        finished.clear();
        demo->setRerankDepth(0);
        QVERIFY(finished.wait(120000));
        QCOMPARE(demo->column(2)->title(), QStringLiteral("Compatible upgrade"));
        // A typed query is searched as typed, off the list.
        finished.clear();
        demo->runTypedQuery(QStringLiteral("a red circle"));
        QVERIFY(finished.wait(120000));
        QCOMPARE(demo->currentIndex(), -1);
        QCOMPARE(QString::fromStdString(demo->lastOutcome()->query.text), QStringLiteral("a red circle"));

        QSignalSpy exit(demo, &DemoView::exitRequested);
        demo->setFocus();
        QTest::keyClick(demo, Qt::Key_Escape);
        QCOMPARE(exit.count(), 1);
        QVERIFY(!w.inDemoMode());
    }

    // The workbench's own evaluations read cached embeddings and measure no
    // embedding rate; the headline keeps the newest one's recall and takes
    // the rate from the newest evaluation of the same models that has it.
    void demoHeadlineTakesTheRateFromAnOlderEvaluation()
    {
        const std::string measured = latestEvaluationResults(ws_, "", "");
        QVERIFY(!measured.empty());
        nlohmann::json j = nlohmann::json::parse(readFileBytes(measured));
        const double rate = j["backfill"]["images_per_second"].get<double>();
        QVERIFY(rate > 0);
        j["backfill"].erase("images_per_second");
        for (auto& [name, model] : j["models"].items())
            model.erase("images_per_second");
        for (auto& space : j["spaces"])
            space.erase("images_per_second");
        const fs::path cached = fs::path(ws_) / "results" / "cached-rerun" / "results.json";
        fs::create_directories(cached.parent_path());
        writeFileAtomic(cached.string(), j.dump(2));
        fs::last_write_time(cached, fs::last_write_time(measured) + std::chrono::seconds(10));

        UpgradeSession session(ws_, cpuOptions());
        const DemoHeadline h = loadDemoHeadline(session, "lstsq", "", "");
        fs::remove_all(cached.parent_path());
        QCOMPARE(QString::fromStdString(h.resultsFile), QString::fromStdString(cached.string()));
        QVERIFY2(h.adaptedR1.has_value(), h.recallMissing.c_str());
        QCOMPARE(h.imagesPerSecond, rate);
        QVERIFY(h.secondsSaved().has_value());
    }

    void demoListEditorSavesTheList()
    {
        MainWindow& w = openWindow();
        DemoView* demo = w.demo();
        demo->editQueries();
        DemoListEditor* editor = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((editor = demo->findChild<DemoListEditor*>()) != nullptr, 30000);
        QVERIFY(editor->text().contains(QString::fromStdString(captions_.captions[5])));
        QSignalSpy saved(demo, &DemoView::queriesSaved);
        editor->setText(QStringLiteral("a red circle\n# skipped\na green triangle\nblue star\n"));
        QCOMPARE(editor->queryCount(), 3);
        editor->accept();
        QVERIFY(saved.wait(30000));
        QCOMPARE(demo->queries(), (QStringList{QStringLiteral("a red circle"), QStringLiteral("a green triangle"),
                                              QStringLiteral("blue star")}));
        QCOMPARE(QString::fromStdString(readFileBytes(ws_ + "/demo-queries.txt")),
                 QStringLiteral("a red circle\n# skipped\na green triangle\nblue star\n"));
    }

    void stallDiagnosticMeasuresIndexingAndTraining()
    {
        MainWindow& w = openWindow();
        StallDiagnostic diagnostic(&w);
        diagnostic.setIdleMs(200);
        diagnostic.setTrainings({{QStringLiteral("lstsq"), nlohmann::json::object()}});
        QSignalSpy finished(&diagnostic, &StallDiagnostic::finished);
        diagnostic.start();
        QVERIFY(finished.wait(300000));
        const QString table = StallDiagnostic::table(diagnostic.rows());
        QVERIFY2(diagnostic.ok(), qPrintable(table));
        QCOMPARE(diagnostic.rows().size(), 3);  // idle, index, train
        for (const StallDiagnostic::Row& r : diagnostic.rows()) {
            QVERIFY2(r.stalls.ticks > 0, qPrintable(table));
            QVERIFY(r.stalls.longestMs >= r.stalls.p99Ms);
            QVERIFY(r.stalls.p99Ms >= 0.0);
        }
        // The scratch gallery and adapter are gone again.
        Workspace ws = Workspace::open(ws_, Workspace::Mode::ReadOnly);
        QVERIFY(!ws.hasGallery(StallDiagnostic::kProbeName));
        const std::vector<std::string> adapters = ws.adapters();
        QVERIFY(std::find(adapters.begin(), adapters.end(), StallDiagnostic::kProbeName) == adapters.end());
    }

    void indexPanelImportsEmbeddings()
    {
        MainWindow& w = openWindow();
        // Ten rows of the old gallery, as another tool would hand them over:
        // an .npy matrix and its row listing.
        const int64_t n = 10;
        Matrix rows;
        std::string listing;
        {
            Workspace ws = Workspace::open(ws_, Workspace::Mode::ReadOnly);
            GalleryStore store = GalleryStore::open(ws.galleryDir("old") + "/gallery.sqlite", GalleryStore::Mode::ReadOnly);
            std::map<int64_t, std::string> paths;
            for (const StoredItem& item : store.items())
                paths[item.id] = item.path;
            const StoredVectors stored = store.imageVectors();
            rows = Matrix(n, stored.vectors.cols);
            for (int64_t i = 0; i < n; ++i) {
                std::copy(stored.vectors.row(i), stored.vectors.row(i) + stored.vectors.cols, rows.row(i));
                listing += paths.at(stored.ids[size_t(i)]) + "\n";
            }
        }
        const QString npy = root_.filePath(QStringLiteral("imported.npy"));
        const QString listingFile = root_.filePath(QStringLiteral("imported-rows.txt"));
        writeNpy(npy.toStdString(), rows);
        std::ofstream(listingFile.toStdString()) << listing;

        IndexPanel* panel = w.index();
        panel->setInputs(QString::fromStdString(split_), QStringLiteral("imported"), QStringLiteral("sample-old"));
        // Stored rows may be float16: normalising absorbs the rounding.
        panel->setImportInputs(npy, listingFile, true, 4);
        QSignalSpy done(panel, &IndexPanel::galleryIndexed);
        QSignalSpy failed(panel, &IndexPanel::indexingFailed);
        QSignalSpy reopened(&w, &MainWindow::workspaceOpened);
        panel->startImport();
        QVERIFY(panel->running());
        QTRY_VERIFY_WITH_TIMEOUT(done.count() + failed.count() > 0, 120000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        QCOMPARE(done.first().first().toString(), QStringLiteral("imported"));
        QVERIFY2(panel->summaryText().contains(QStringLiteral("imported 10")), qPrintable(panel->summaryText()));
        QVERIFY2(panel->summaryText().contains(QStringLiteral("4 images embedded again")), qPrintable(panel->summaryText()));
        QCOMPARE(panel->failures()->rowCount(), 0);
        QVERIFY(latestJobRanOnAWorker(*w.jobs(), QStringLiteral("Importing into imported")));
        {
            Workspace ws = Workspace::open(ws_, Workspace::Mode::ReadOnly);
            GalleryStore store = GalleryStore::open(ws.galleryDir("imported") + "/gallery.sqlite", GalleryStore::Mode::ReadOnly);
            QCOMPARE(store.counts().embedded, n);
        }
        // The window reads the workspace again (the new gallery).
        QTRY_VERIFY_WITH_TIMEOUT(reopened.count() > 0, 60000);
    }

    // The Index panel's backfill: a share of the old gallery re-embedded by
    // the new model on a worker, the status line counting the store.
    void indexPanelBackfillsAShareOfTheGallery()
    {
        MainWindow& w = openWindow();
        {
            // Earlier re-ranked demo queries kept new embeddings: start from an empty store.
            Workspace ws = Workspace::open(ws_, Workspace::Mode::ReadWrite);
            GalleryStore store = GalleryStore::open(ws.galleryDir("old") + "/gallery.sqlite", GalleryStore::Mode::ReadWrite);
            store.dropSecondSpace();
        }
        IndexPanel* panel = w.index();
        panel->setInputs(QString::fromStdString(split_), QStringLiteral("old"), QStringLiteral("sample-old"));
        panel->setBackfillInputs(QStringLiteral("uncertainty"), QStringLiteral("10"));
        QSignalSpy done(panel, &IndexPanel::galleryIndexed);
        QSignalSpy failed(panel, &IndexPanel::indexingFailed);
        panel->startBackfill();
        QVERIFY(panel->running());
        QTRY_VERIFY_WITH_TIMEOUT(done.count() + failed.count() > 0, 120000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        VERIFY_CONTAINS(panel->summaryText(), "backfilled 10 images");
        QVERIFY(latestJobRanOnAWorker(*w.jobs(), QStringLiteral("Backfilling old")));
        QTRY_VERIFY_WITH_TIMEOUT(panel->backfillStatus().contains(QStringLiteral("10 of")), 60000);
        // A bad budget is refused with what to type instead; nothing starts.
        panel->setBackfillInputs(QStringLiteral("random"), QStringLiteral("lots"));
        panel->startBackfill();
        QVERIFY(!panel->running());
        VERIFY_CONTAINS(panel->summaryText(), "--budget lots");
        // Not every image is backfilled: promoting is refused, nothing changes.
        panel->promote();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->running(), 60000);
        VERIFY_CONTAINS(panel->summaryText(), "Not promoted");
    }

    void modelsPanelSwitchesModels()
    {
        MainWindow& w = openWindow();
        ModelsPanel* panel = w.models();
        const std::string profileFile = ws_ + "/upgrade.json";
        const std::string before = readFileBytes(profileFile);

        // A file that is no TorchScript archive: the panel says why, and
        // upgrade.json keeps its models.
        const QString broken = root_.filePath(QStringLiteral("broken.pt"));
        std::ofstream(broken.toStdString()) << "not a model";
        panel->newChooser()->setSpec(broken);
        QCOMPARE(panel->newChooser()->spec(), broken);
        QSignalSpy failed(panel, &ModelsPanel::switchFailed);
        panel->applyModels();
        QVERIFY(failed.wait(60000));
        const QString error = failed.first().first().toString();
        QVERIFY2(error.contains(QStringLiteral("new model")) && error.contains(broken), qPrintable(error));
        QVERIFY(panel->statusText().contains(QStringLiteral("upgrade.json is unchanged")));
        QCOMPARE(QString::fromStdString(readFileBytes(profileFile)), QString::fromStdString(before));

        // new = sample-old: upgrade.json, the models table and the adapters'
        // fit all follow, and Explore has no adapter for this pair.
        QSignalSpy opened(&w, &MainWindow::workspaceOpened);
        panel->newChooser()->setSpec(QStringLiteral("sample-old"));
        panel->applyModels();
        QVERIFY(opened.wait(60000));
        UpgradeProfile p = loadUpgradeProfile(ws_);
        QCOMPARE(QString::fromStdString(p.newModel), QStringLiteral("sample-old"));
        QCOMPARE(QString::fromStdString(p.oldGallery), QStringLiteral("old"));  // the rest is kept
        QCOMPARE(QString::fromStdString(p.defaultAdapter), QStringLiteral("lstsq"));
        QCOMPARE(panel->modelsTable()->item(1, 1)->text(), QStringLiteral("sample-old"));
        QCOMPARE(panel->modelsTable()->item(1, 3)->text(), QStringLiteral("128"));
        QVERIFY(panel->statusText().contains(QStringLiteral("lstsq")));
        for (int row = 0; row < panel->adaptersTable()->rowCount(); ++row)
            QCOMPARE(panel->adaptersTable()->item(row, 4)->text(), QStringLiteral("no: other models"));
        QVERIFY(w.explore()->adapter().isEmpty());

        // And back: the adapters fit again.
        opened.clear();
        panel->newChooser()->setSpec(QStringLiteral("sample-new"));
        panel->applyModels();
        QVERIFY(opened.wait(60000));
        QCOMPARE(QString::fromStdString(loadUpgradeProfile(ws_).newModel), QStringLiteral("sample-new"));
        QCOMPARE(panel->modelsTable()->item(1, 3)->text(), QStringLiteral("256"));
        QCOMPARE(panel->adaptersTable()->item(0, 4)->text(), QStringLiteral("yes"));
        QCOMPARE(w.explore()->adapter(), QStringLiteral("lstsq"));
    }

    // A workspace made with the CLI alone (a gallery, two adapters trained
    // with xbt train, no upgrade.json) opens ready to use: the upgrade is
    // inferred, the models load, the header names the real gallery, the
    // adapters show their validation headline, and a query works.
    void cliMadeWorkspaceOpensReadyToUse()
    {
        const std::string cliWs = root_.filePath(QStringLiteral("cli-ws")).toStdString();
        {
            UpgradeSession session(cliWs, cpuOptions(), UpgradeSession::Open::CreateIfMissing);
            IndexRequest index;
            index.run.root = split_;
            index.run.gallery = "mine";
            index.modelSpec = "sample-old";
            session.index(index);
            for (const char* name : {"one", "two"}) {
                AdapterTrainRequest r;
                r.method = "lstsq";
                r.name = name;
                r.oldModel = "sample-old";
                r.newModel = "sample-new";
                r.modelOptions = cpuOptions();
                r.corpusFile = corpus_;
                r.validationDir = split_;
                session.train(r);
            }
        }
        QVERIFY(!hasUpgradeProfile(cliWs));
        WorkbenchOptions o;
        o.modelOptions = cpuOptions();
        o.interactive = false;
        MainWindow w(o);
        QSignalSpy opened(&w, &MainWindow::workspaceOpened);
        w.openWorkspace(QString::fromStdString(cliWs));
        QVERIFY(opened.wait(120000));
        ModelsPanel* models = w.models();
        QCOMPARE(models->modelsTable()->item(0, 7)->text(), QStringLiteral("loaded"));
        QCOMPARE(models->modelsTable()->item(1, 7)->text(), QStringLiteral("loaded"));
        QCOMPARE(models->oldChooser()->spec(), QStringLiteral("sample-old"));
        QCOMPARE(models->newChooser()->spec(), QStringLiteral("sample-new"));
        QVERIFY2(models->statusText().contains(QStringLiteral("no upgrade.json")), qPrintable(models->statusText()));
        for (int row = 0; row < models->adaptersTable()->rowCount(); ++row) {
            const QString validation = models->adaptersTable()->item(row, 7)->text();
            QVERIFY2(validation.startsWith(QStringLiteral("R@1 T2I")), qPrintable(validation));
        }
        QSignalSpy finished(w.explore(), &ExplorePanel::queryFinished);
        QSignalSpy failed(w.explore(), &ExplorePanel::queryFailed);
        w.explore()->runTextQuery(QString::fromStdString(captions_.captions.front()));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, 120000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        QVERIFY(w.explore()->column(0)->model()->rowCount() > 0);
        QVERIFY(w.explore()->column(2)->model()->rowCount() > 0);
    }
};

QTEST_MAIN(TestWorkbench)
#include "test_workbench.moc"

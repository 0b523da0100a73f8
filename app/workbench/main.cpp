// xbt-workbench: the desktop workbench. Command-line options open a
// workspace on a tab or in demo mode and can run a query, an evaluation or a
// training and save a screenshot of the real window (how docs/images/ are
// made), or measure the event loop's stalls during engine jobs.
#include "core/util/ProcessTuning.h"
#include "core/util/FileUtil.h"
#include "ui/workbench/DemoView.h"
#include "ui/workbench/EvaluatePanel.h"
#include "ui/workbench/ExplorePanel.h"
#include "ui/workbench/JobRunner.h"
#include "ui/workbench/MainWindow.h"
#include "ui/workbench/StallDiagnostic.h"
#include "ui/workbench/ThumbnailLoader.h"
#include "ui/workbench/TrainPanel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QPixmap>
#include <QScreen>
#include <QSettings>
#include <QTimer>

#include <cstdio>
#include <functional>

using namespace xbt::ui;

namespace {

// Waits until the visible thumbnails are in (or a few seconds), then saves
// the window and quits.
void screenshotWhenSettled(MainWindow* window, const QString& file, int extraDelayMs)
{
    auto* timer = new QTimer(window);
    auto waited = std::make_shared<int>(0);
    QObject::connect(timer, &QTimer::timeout, window, [=] {
        *waited += 200;
        const int pending =
            window->explore()->thumbnails()->pendingCount() + window->demo()->thumbnails()->pendingCount();
        if (pending > 0 && *waited < 15000)
            return;
        if (*waited < extraDelayMs)
            return;
        timer->stop();
        const bool ok = window->grab().save(file);
        qInfo("%s %s", ok ? "saved" : "could not save", qPrintable(file));
        QApplication::exit(ok ? 0 : 1);
    });
    timer->start(200);
}

}  // namespace

int main(int argc, char** argv)
{
    xbt::sleepIdleOpenMpThreads(argv);
    xbt::capProcessUmask();
    xbt::keepFreedMemoryForReuse();
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("xbt"));
    QApplication::setApplicationName(QStringLiteral("xbt-workbench"));
    // The icon is compiled in (resources/xbt-workbench.qrc), so the window
    // has it from the build tree too; the desktop file name lets Wayland
    // shells match the window to the installed entry and its themed icon.
    QIcon icon;
    for (const int px : {16, 32, 48, 64, 128, 256})
        icon.addFile(QStringLiteral(":/icons/xbt-workbench-%1.png").arg(px), QSize(px, px));
    QApplication::setWindowIcon(icon);
    QGuiApplication::setDesktopFileName(QStringLiteral("xbt-workbench"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("XBT Workbench: upgrade a retrieval model without re-embedding the gallery"));
    parser.addHelpOption();
    const QCommandLineOption workspace({QStringLiteral("w"), QStringLiteral("workspace")}, QStringLiteral("Open this workspace"), QStringLiteral("dir"));
    const QCommandLineOption tab(QStringLiteral("tab"), QStringLiteral("explore, evaluate, train, index or models"), QStringLiteral("name"));
    const QCommandLineOption query(QStringLiteral("query"), QStringLiteral("Run this text query in Explore"), QStringLiteral("text"));
    const QCommandLineOption image(QStringLiteral("image"), QStringLiteral("Run this image query in Explore"), QStringLiteral("file"));
    const QCommandLineOption adapter(QStringLiteral("adapter"), QStringLiteral("Adapter for the Explore column"), QStringLiteral("name"));
    const QCommandLineOption rerank(QStringLiteral("rerank"), QStringLiteral("Re-rank the adapter column's top K with the new model (Explore; demo mode re-ranks the top 50)"), QStringLiteral("K"));
    const QCommandLineOption buildSample(QStringLiteral("build-sample"), QStringLiteral("Build the sample workspace (into --workspace, or the default place) and open it"));
    const QCommandLineOption runEval(QStringLiteral("run-eval"), QStringLiteral("Run the evaluation on opening"));
    const QCommandLineOption upgradePaths(QStringLiteral("upgrade-paths"),
                                          QStringLiteral("With --run-eval: measure the upgrade paths too and show their table; with --demo: show the latest evaluation's"));
    const QCommandLineOption ceiling(QStringLiteral("ceiling"),
                                     QStringLiteral("With --run-eval: add the diagnostic ceiling and what the old gallery cannot tell apart"));
    const QCommandLineOption train(QStringLiteral("train"), QStringLiteral("Start training this method on opening"), QStringLiteral("method"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"), QStringLiteral("Save the window to FILE once the run settles, then quit"), QStringLiteral("file"));
    const QCommandLineOption shotPoints(
        QStringLiteral("screenshot-at-points"),
        QStringLiteral("With --train: take the screenshot during the run, once the charts hold N points (loss and validation together)"),
        QStringLiteral("n"));
    const QCommandLineOption delay(QStringLiteral("screenshot-delay"), QStringLiteral("Wait at least this long before the screenshot"), QStringLiteral("ms"), QStringLiteral("500"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size, e.g. 1366x768"), QStringLiteral("WxH"));
    const QCommandLineOption demo(QStringLiteral("demo"), QStringLiteral("Open in demo mode (full screen unless --size is given; Esc leaves)"));
    const QCommandLineOption measureStalls(QStringLiteral("measure-stalls"),
                                           QStringLiteral("Index and train through the panels, print the longest event-loop stalls, and quit"));
    const QCommandLineOption threads(QStringLiteral("threads"), QStringLiteral("Torch threads (0: all cores)"), QStringLiteral("n"), QStringLiteral("0"));
    for (const auto& o : {workspace, buildSample, tab, demo, query, image, adapter, rerank, runEval, upgradePaths, ceiling, train, screenshot, shotPoints, delay, size,
                          measureStalls, threads})
        parser.addOption(o);
    parser.process(app);

    WorkbenchOptions options;
    options.modelOptions.threads = parser.value(threads).toInt();
    options.interactive = !parser.isSet(screenshot) && !parser.isSet(measureStalls);
    MainWindow window(options);
    if (parser.isSet(size)) {
        const QStringList wh = parser.value(size).split(QLatin1Char('x'));
        if (wh.size() == 2)
            window.resize(wh[0].toInt(), wh[1].toInt());
    }
    window.show();

    const QString shot = parser.value(screenshot);
    const int shotDelay = parser.value(delay).toInt();
    if (parser.isSet(measureStalls) && !parser.isSet(workspace)) {
        std::fprintf(stderr, "--measure-stalls needs --workspace WS (the sample workspace: xbt-workbench --build-sample)\n");
        return 1;
    }
    StallDiagnostic stalls(&window);
    QObject::connect(&stalls, &StallDiagnostic::finished, &window, [&] {
        std::printf("%s", qPrintable(StallDiagnostic::table(stalls.rows())));
        std::fflush(stdout);
        QApplication::exit(stalls.ok() ? 0 : 1);
    });

    if (!options.interactive)
        QObject::connect(&window, &MainWindow::workspaceFailed, &window, [](const QString& error) {
            std::fprintf(stderr, "xbt-workbench: %s\n", qPrintable(error));
            QApplication::exit(1);
        });

    QObject::connect(&window, &MainWindow::workspaceOpened, &window, [&] {
        if (parser.isSet(measureStalls)) {
            stalls.start();
            return;
        }
        if (parser.isSet(tab))
            window.showTab(parser.value(tab));
        if (parser.isSet(adapter))
            window.explore()->selectAdapter(parser.value(adapter));
        if (parser.isSet(rerank)) {
            window.explore()->setRerankDepth(parser.value(rerank).toInt());
            window.demo()->setRerankDepth(parser.value(rerank).toInt());
        }
        if (parser.isSet(demo)) {
            if (parser.isSet(upgradePaths))
                QObject::connect(window.demo(), &DemoView::headlineReady, window.demo(),
                                 [&window] { window.demo()->setUpgradePathsShown(true); }, Qt::SingleShotConnection);
            window.enterDemoMode(!parser.isSet(size));
            if (parser.isSet(query))
                window.demo()->runTypedQuery(parser.value(query));
        } else if (parser.isSet(query)) {
            window.explore()->runTextQuery(parser.value(query));
        } else if (parser.isSet(image)) {
            window.explore()->runImageQuery(parser.value(image));
        }
        if (parser.isSet(runEval)) {
            if (parser.isSet(upgradePaths)) {
                window.evaluate()->setUpgradePaths(true);
                QObject::connect(window.evaluate(), &EvaluatePanel::evaluationFinished, window.evaluate(),
                                 &EvaluatePanel::showUpgradePathsTab, Qt::SingleShotConnection);
            }
            if (parser.isSet(ceiling))
                window.evaluate()->setCeiling(true);
            window.evaluate()->runEvaluation();
        }
        if (parser.isSet(train)) {
            window.train()->setMethod(parser.value(train));
            window.train()->start();
        }
        if (shot.isEmpty())
            return;
        if (parser.isSet(demo)) {
            // The demo reads well only with its query and its headline in.
            auto awaited = std::make_shared<int>(2);
            const auto oneIn = [&, awaited] {
                if (--*awaited == 0)
                    screenshotWhenSettled(&window, shot, shotDelay);
            };
            QObject::connect(window.demo(), &DemoView::queryFinished, &window, oneIn, Qt::SingleShotConnection);
            QObject::connect(window.demo(), &DemoView::headlineReady, &window, oneIn, Qt::SingleShotConnection);
        } else if (parser.isSet(query) || parser.isSet(image)) {
            QObject::connect(window.explore(), &ExplorePanel::queryFinished, &window,
                             [&] { screenshotWhenSettled(&window, shot, shotDelay); }, Qt::SingleShotConnection);
        } else if (parser.isSet(runEval)) {
            QObject::connect(window.evaluate(), &EvaluatePanel::evaluationFinished, &window,
                             [&] { screenshotWhenSettled(&window, shot, shotDelay); }, Qt::SingleShotConnection);
        } else if (parser.isSet(train) && parser.isSet(shotPoints)) {
            // Live curves: wait until the charts have something to show, but
            // not past the run's end (a failed run is worth a look too).
            const int points = parser.value(shotPoints).toInt();
            auto* poll = new QTimer(&window);
            QObject::connect(poll, &QTimer::timeout, &window, [&, poll, points] {
                if (window.train()->lossPoints() + window.train()->validationPoints() < points && window.train()->running())
                    return;
                poll->stop();
                screenshotWhenSettled(&window, shot, shotDelay);
            });
            poll->start(100);
        } else {
            screenshotWhenSettled(&window, shot, shotDelay);  // e.g. training: a shot during the run
        }
    }, Qt::SingleShotConnection);

    if (parser.isSet(buildSample)) {
        window.buildSampleWorkspace(parser.isSet(workspace) ? QDir(parser.value(workspace)).absolutePath()
                                                            : MainWindow::defaultSampleWorkspaceDir());
    } else if (parser.isSet(workspace)) {
        window.openWorkspace(parser.value(workspace));
    } else {
        const QString last = QSettings().value(QStringLiteral("workspaces/last")).toString();
        if (!last.isEmpty() && QDir(last).exists())
            window.openWorkspace(last);
        else
            QTimer::singleShot(0, &window, &MainWindow::offerSampleWorkspace);
    }
    return app.exec();
}

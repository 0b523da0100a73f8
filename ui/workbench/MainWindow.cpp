#include "ui/workbench/MainWindow.h"

#include "core/workspace/Workspace.h"
#include "core/pipeline/SampleWorkspace.h"
#include "ui/workbench/DemoView.h"
#include "ui/workbench/EvaluatePanel.h"
#include "ui/workbench/ExplorePanel.h"
#include "ui/workbench/IndexPanel.h"
#include "ui/workbench/JobRunner.h"
#include "ui/workbench/WorkspaceJobs.h"
#include "ui/workbench/JobStatusWidget.h"
#include "ui/workbench/ModelSpecChooser.h"
#include "ui/workbench/ModelsPanel.h"
#include "ui/workbench/TrainPanel.h"
#include "core/pipeline/UpgradeSession.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>

namespace xbt::ui {

namespace {
const QStringList kTabs = {QStringLiteral("explore"), QStringLiteral("evaluate"), QStringLiteral("train"),
                           QStringLiteral("index"), QStringLiteral("models")};
constexpr int kMaxRecent = 8;
}  // namespace

MainWindow::MainWindow(WorkbenchOptions options, QWidget* parent)
    : QMainWindow(parent), options_(std::move(options)), runner_(new JobRunner(this)), stack_(new QStackedWidget),
      tabs_(new QTabWidget), explore_(new ExplorePanel(runner_)), evaluate_(new EvaluatePanel(runner_)),
      train_(new TrainPanel(runner_)), index_(new IndexPanel(runner_)), models_(new ModelsPanel(runner_)),
      demo_(new DemoView(runner_))
{
    setWindowTitle(tr("XBT Workbench"));
    tabs_->addTab(explore_, tr("&Explore"));
    tabs_->addTab(evaluate_, tr("E&valuate"));
    tabs_->addTab(train_, tr("&Train"));
    tabs_->addTab(index_, tr("&Index"));
    tabs_->addTab(models_, tr("&Models"));
    tabs_->setDocumentMode(true);
    stack_->addWidget(tabs_);
    stack_->addWidget(demo_);
    setCentralWidget(stack_);
    statusBar()->addPermanentWidget(new JobStatusWidget(runner_), 1);
    buildMenus();

    connect(runner_, &JobRunner::jobFinished, this, [this](int, const QString& title, bool ok, bool cancelled, const QString& error) {
        if (!ok && !cancelled)
            statusBar()->showMessage(tr("%1 failed: %2").arg(title, error), 15000);
        else if (cancelled)
            statusBar()->showMessage(tr("%1 cancelled").arg(title), 5000);
    });
    connect(train_, &TrainPanel::adapterTrained, this, [this](const QString& name) {
        refresh();
        // The new adapter is what the user wants to look at next.
        connect(this, &MainWindow::workspaceOpened, explore_, [this, name] { explore_->selectAdapter(name); },
                Qt::SingleShotConnection);
    });
    connect(index_, &IndexPanel::galleryIndexed, this, &MainWindow::refresh);
    // A compatible model just trained: offered as the new model (Models tab, Apply to use it).
    connect(train_, &TrainPanel::modelTrained, this, [this](const QString& folder) {
        models_->newChooser()->setSpec(folder);
        statusBar()->showMessage(tr("Compatible model saved in %1: choose it as the new model in the Models tab").arg(folder),
                                 15000);
    });
    connect(models_, &ModelsPanel::modelsSwitched, this, [this](const WorkspaceSummary& summary) {
        apply(session_, summary);
        Q_EMIT workspaceOpened(QString::fromStdString(summary.dir));
    });
    connect(demo_, &DemoView::exitRequested, this, &MainWindow::leaveDemoMode);
    connect(demo_, &DemoView::queriesSaved, explore_, &ExplorePanel::setDemoQueries);
    // A new evaluation changes the demo's headline numbers.
    connect(evaluate_, &EvaluatePanel::evaluationFinished, demo_, &DemoView::refreshHeadline);
    connect(evaluate_, &EvaluatePanel::resultsShown, explore_, &ExplorePanel::setFlippedQueries);

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    tabs_->setCurrentIndex(settings.value(QStringLiteral("window/tab"), 0).toInt());
    if (!settings.contains(QStringLiteral("window/geometry")))
        resize(1280, 720);
}

MainWindow::~MainWindow()
{
    runner_->cancelAll();
}

QString MainWindow::defaultSampleWorkspaceDir()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("sample-workspace"));
}

QString MainWindow::workspaceDir() const { return session_ ? QString::fromStdString(session_->dir()) : QString(); }

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open workspace..."), QKeySequence::Open, this, &MainWindow::chooseWorkspace);
    file->addAction(tr("&New workspace..."), QKeySequence::New, this, &MainWindow::createWorkspace);
    recent_ = file->addMenu(tr("Open &recent"));
    fillRecentMenu();
    file->addAction(tr("Build the &sample workspace"), this, [this] { buildSampleWorkspace(defaultSampleWorkspaceDir()); });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(tr("Focus the &query"), QKeySequence(Qt::CTRL | Qt::Key_L), this, [this] {
        showTab(QStringLiteral("explore"));
        explore_->focusQuery();
    });
    run->addAction(tr("Run the &evaluation"), QKeySequence(Qt::CTRL | Qt::Key_E), this, [this] {
        showTab(QStringLiteral("evaluate"));
        evaluate_->runEvaluation();
    });
    run->addAction(tr("&Cancel all jobs"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_X), runner_, &JobRunner::cancelAll);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < kTabs.size(); ++i)
        view->addAction(tabs_->tabText(i).remove(QLatin1Char('&')), QKeySequence(Qt::CTRL | (Qt::Key_1 + i)), this,
                        [this, i] { tabs_->setCurrentIndex(i); });
    view->addSeparator();
    demoAction_ = view->addAction(tr("&Demo mode"), this, [this] {
        if (inDemoMode())
            leaveDemoMode();
        else
            enterDemoMode();
    });
    demoAction_->setShortcuts({QKeySequence(Qt::Key_F11), QKeySequence(Qt::CTRL | Qt::Key_D)});
    demoAction_->setToolTip(tr("Full screen, one demo query at a time, for an audience (Esc leaves)"));
    // The menu bar is hidden in demo mode, and a hidden menu's shortcuts do
    // not fire: the window carries the action too.
    addAction(demoAction_);
}

bool MainWindow::inDemoMode() const { return stack_->currentWidget() == demo_; }

void MainWindow::enterDemoMode(bool fullScreen)
{
    if (inDemoMode())
        return;
    stateBeforeDemo_ = windowState();
    menuBar()->hide();
    statusBar()->hide();
    stack_->setCurrentWidget(demo_);
    if (fullScreen)
        showFullScreen();
    demo_->setFocus();
}

void MainWindow::leaveDemoMode()
{
    if (!inDemoMode())
        return;
    stack_->setCurrentWidget(tabs_);
    menuBar()->show();
    statusBar()->show();
    setWindowState(stateBeforeDemo_);
}

void MainWindow::showTab(const QString& name)
{
    const int i = static_cast<int>(kTabs.indexOf(name.toLower()));
    if (i >= 0)
        tabs_->setCurrentIndex(i);
}

void MainWindow::openWorkspace(const QString& dir, bool create)
{
    auto* job = new OpenWorkspaceJob(QDir(dir).absolutePath(), options_.modelOptions, create);
    statusBar()->showMessage(tr("Opening %1 ...").arg(dir));
    connect(job, &Job::succeeded, this, [this, job] {
        apply(job->session(), job->summary());
        const QString opened = QString::fromStdString(job->summary().dir);
        rememberRecent(opened);
        statusBar()->showMessage(tr("Opened %1").arg(opened), 5000);
        Q_EMIT workspaceOpened(opened);
    });
    connect(job, &Job::failed, this, [this, dir](const QString& error) {
        if (options_.interactive)
            QMessageBox::warning(this, tr("Open workspace"), tr("Could not open %1:\n%2").arg(dir, error));
        Q_EMIT workspaceFailed(error);
    });
    runner_->start(job);
}

void MainWindow::refresh()
{
    if (!session_)
        return;
    auto* job = new RefreshWorkspaceJob(session_);
    std::shared_ptr<UpgradeSession> session = session_;
    connect(job, &Job::succeeded, this, [this, job, session] {
        apply(session, job->summary());
        Q_EMIT workspaceOpened(QString::fromStdString(job->summary().dir));
    });
    runner_->start(job);
}

void MainWindow::apply(std::shared_ptr<UpgradeSession> session, const WorkspaceSummary& summary)
{
    // Switching workspaces: what still runs for the old one stops (at its
    // next cancellation point, leaving that workspace consistent).
    if (session_ && session_ != session && session_->dir() != session->dir())
        runner_->cancelWorkspace(QString::fromStdString(session_->dir()));
    session_ = std::move(session);
    setWindowTitle(tr("XBT Workbench - %1").arg(QString::fromStdString(summary.dir)));
    explore_->setSession(session_, summary);
    evaluate_->setSession(session_, summary);
    train_->setSession(session_, summary);
    index_->setSession(session_, summary);
    models_->setSession(session_, summary);
    demo_->setSession(session_, summary);
    if (summary.profileSource == ProfileSource::Inferred)
        statusBar()->showMessage(tr("No upgrade.json: the old and new model were found from the galleries and "
                                    "adapters (see the Models tab)."),
                                 15000);
    else if (!summary.hasProfile())
        statusBar()->showMessage(tr("The upgrade is not known yet: choose the old and the new model in the Models "
                                    "tab."),
                                 15000);
}

void MainWindow::buildSampleWorkspace(const QString& dir)
{
    QDir().mkpath(dir);
    const std::string path = dir.toStdString();
    showTab(QStringLiteral("explore"));
    statusBar()->showMessage(tr("Building the sample workspace in %1 (a few minutes the first time) ...").arg(dir));
    auto* job = new BuildSampleWorkspaceJob(dir);
    connect(job, &Job::succeeded, this, [this, dir] { openWorkspace(dir); });
    connect(job, &Job::failed, this, [this](const QString& error, bool cancelled) {
        if (!cancelled)
            QMessageBox::warning(this, tr("Sample workspace"), tr("Building the sample workspace failed:\n%1").arg(error));
    });
    runner_->start(job);
}

void MainWindow::offerSampleWorkspace()
{
    const QString dir = defaultSampleWorkspaceDir();
    if (sampleWorkspaceComplete(dir.toStdString())) {
        // Built before: building again only redoes what other sample models
        // (an older package) left behind, then opens it.
        buildSampleWorkspace(dir);
        return;
    }
    const auto answer = QMessageBox::question(
        this, tr("Welcome to the XBT Workbench"),
        tr("No workspace is open. Build the bundled sample workspace?\n\nIt generates a captioned test world, indexes it "
           "with the old and the new sample model and trains a compatibility adapter, in %1.\nThis takes a few minutes "
           "the first time; you can keep using the window meanwhile.")
            .arg(dir));
    if (answer == QMessageBox::Yes)
        buildSampleWorkspace(dir);
}

void MainWindow::chooseWorkspace()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open workspace"), workspaceDir());
    if (!dir.isEmpty())
        openWorkspace(dir);
}

void MainWindow::createWorkspace()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("New workspace (an empty folder)"));
    if (!dir.isEmpty())
        openWorkspace(dir, true);
}

void MainWindow::rememberRecent(const QString& dir)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("workspaces/recent")).toStringList();
    recent.removeAll(dir);
    recent.prepend(dir);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(QStringLiteral("workspaces/recent"), recent);
    settings.setValue(QStringLiteral("workspaces/last"), dir);
    fillRecentMenu();
}

void MainWindow::fillRecentMenu()
{
    recent_->clear();
    const QStringList recent = QSettings().value(QStringLiteral("workspaces/recent")).toStringList();
    for (const QString& dir : recent)
        recent_->addAction(dir, this, [this, dir] { openWorkspace(dir); });
    recent_->setEnabled(!recent.isEmpty());
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    // The window's normal layout is what should come back next time.
    leaveDemoMode();
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/tab"), tabs_->currentIndex());
    // Jobs stop at their next cancellation point; the workspace stays consistent.
    runner_->cancelAll();
    runner_->waitForIdle(30000);
    QMainWindow::closeEvent(event);
}

}  // namespace xbt::ui

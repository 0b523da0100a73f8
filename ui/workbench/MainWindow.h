#pragma once
// The workbench window: the open workspace, the panels as tabs, the job
// status in the status bar, menus and shortcuts, and what persists between
// runs (geometry, tab, recent workspaces).

#include "core/model/ModelOptions.h"

#include <QMainWindow>

#include <memory>

class QAction;
class QMenu;
class QStackedWidget;
class QTabWidget;

namespace xbt {
class UpgradeSession;
struct WorkspaceSummary;
}  // namespace xbt

namespace xbt::ui {

class DemoView;
class EvaluatePanel;
class ExplorePanel;
class IndexPanel;
class JobRunner;
class ModelsPanel;
class TrainPanel;

struct WorkbenchOptions {
    ModelOptions modelOptions;
    // false for unattended runs (screenshots, --measure-stalls): a failure
    // to open a workspace is only signalled (workspaceFailed), never a
    // dialog that would wait for a click nobody makes.
    bool interactive = true;
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(WorkbenchOptions options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens `dir` (creating the workspace when `create`) on a worker.
    void openWorkspace(const QString& dir, bool create = false);
    void buildSampleWorkspace(const QString& dir);
    // First start: open the sample workspace when it is built, else offer to build it.
    void offerSampleWorkspace();
    void showTab(const QString& name);  // explore, evaluate, train, index, models
    // Demo mode replaces the tabs, menus and status bar with the DemoView;
    // full screen unless the caller sized the window (screenshots).
    void enterDemoMode(bool fullScreen = true);
    void leaveDemoMode();
    bool inDemoMode() const;
    static QString defaultSampleWorkspaceDir();

    JobRunner* jobs() const { return runner_; }
    ExplorePanel* explore() const { return explore_; }
    EvaluatePanel* evaluate() const { return evaluate_; }
    TrainPanel* train() const { return train_; }
    IndexPanel* index() const { return index_; }
    ModelsPanel* models() const { return models_; }
    DemoView* demo() const { return demo_; }
    QString workspaceDir() const;
    std::shared_ptr<UpgradeSession> session() const { return session_; }
    // Reloads galleries and adapters after they changed on disk.
    void refresh();

Q_SIGNALS:
    void workspaceOpened(const QString& dir);
    void workspaceFailed(const QString& error);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void apply(std::shared_ptr<UpgradeSession> session, const WorkspaceSummary& summary);
    void rememberRecent(const QString& dir);
    void fillRecentMenu();
    void chooseWorkspace();
    void createWorkspace();

    WorkbenchOptions options_;
    JobRunner* runner_;
    std::shared_ptr<UpgradeSession> session_;
    QStackedWidget* stack_;
    QTabWidget* tabs_;
    ExplorePanel* explore_;
    EvaluatePanel* evaluate_;
    TrainPanel* train_;
    IndexPanel* index_;
    ModelsPanel* models_;
    DemoView* demo_;
    QAction* demoAction_ = nullptr;
    Qt::WindowStates stateBeforeDemo_;
    QMenu* recent_ = nullptr;
};

}  // namespace xbt::ui

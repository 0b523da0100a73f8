#pragma once
// Runs the same evaluation as `xbt eval` (runEvaluation) in the JobRunner
// and shows it: recall@K per direction, R@1/5/10 with confidence intervals,
// the compatibility criterion and G per adapter, per-category R@1, exports.
// Each evaluation's files (those `xbt eval` writes) are kept in the
// workspace's results/workbench/, where demo mode finds its headline.

#include "ui/workbench/EvaluationJobs.h"

#include <QWidget>

#include <functional>
#include <memory>
#include <string>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStandardItemModel;
class QTableView;
class QTabWidget;

namespace xbt {
class UpgradeSession;
struct EvaluationOutcome;
struct WorkspaceSummary;
}  // namespace xbt

namespace xbt::ui {

class ChartImageView;
class JobRunner;

class EvaluatePanel : public QWidget {
    Q_OBJECT
public:
    explicit EvaluatePanel(JobRunner* runner, QWidget* parent = nullptr);

    void setSession(std::shared_ptr<UpgradeSession> session, const WorkspaceSummary& summary);
    void runEvaluation();
    void showResults(const EvaluationOutcome& results);
    // Rows: configurations; columns: name, role, T2I R@1,5,10, I2T R@1,5,10,
    // then negative flips at R@1 (T2I, I2T). Each recall cell's Qt::UserRole
    // holds the recall as a fraction.
    QStandardItemModel* recallTable() const { return recall_; }
    QStandardItemModel* criterionTable() const { return criterion_; }
    QStandardItemModel* categoryTable() const { return categories_; }
    // The upgrade decision table (UpgradeDecision.h), when "Upgrade paths" was on.
    QStandardItemModel* decisionTable() const { return decision_; }
    void setUpgradePaths(bool on);
    void setCeiling(bool on);
    void showUpgradePathsTab();  // brings the decision table's tab to the front
    QString recommendationText() const;

    // The exports behind the buttons, without their file dialogs. Only the
    // Qt Charts painting stays on the GUI thread; encoding, the report and
    // the files are written by a job. `exported` or `exportFailed` follows.
    // The report is every file `xbt eval` writes.
    void exportPngsTo(const QString& dir);
    void exportCsvTo(const QString& path);
    void exportReportTo(const QString& dir, bool openWhenDone = false);

Q_SIGNALS:
    // After the evaluation's files were kept in the workspace (or could not be).
    void evaluationFinished();
    // Results now shown (a fresh evaluation or kept ones).
    void resultsShown(std::shared_ptr<const xbt::EvaluationOutcome> results);
    void evaluationFailed(const QString& error);
    void exported(const QStringList& files);
    void exportFailed(const QString& error);

private:
    void exportPngs();
    void exportCsv();
    void exportReport();
    void keepResults(const std::string& dir);
    bool canExport();  // false, after exportFailed, before the first evaluation
    QString exportDir(const QString& title);
    void runExport(const QString& title, WriteEvaluationFilesJob::Files files, const QString& target,
                   bool openFirstFile);
    void setExportEnabled(bool enabled);

    JobRunner* runner_;
    std::shared_ptr<UpgradeSession> session_;
    std::string workspaceDir_;
    // Shared with chart renderers and export jobs; null until an evaluation is shown.
    std::shared_ptr<const EvaluationOutcome> results_;

    QPushButton* run_;
    QLineEdit* adapters_;
    QCheckBox* ceiling_;
    QCheckBox* paths_;
    QPushButton* png_;
    QPushButton* csvButton_;
    QPushButton* report_;
    QLabel* summary_;
    QLabel* recommendation_;
    QLabel* exportStatus_;
    ChartImageView* t2i_;
    ChartImageView* i2t_;
    ChartImageView* backfillT2i_;  // the backfill curve (Upgrade paths)
    ChartImageView* backfillI2t_;
    QStandardItemModel* recall_;
    QStandardItemModel* criterion_;
    QStandardItemModel* categories_;
    QStandardItemModel* decision_;
    QTabWidget* resultTabs_ = nullptr;
};

}  // namespace xbt::ui

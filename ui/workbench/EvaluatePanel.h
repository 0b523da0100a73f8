#pragma once
// Runs the same evaluation as `xbt eval` (runEvaluation) in the JobRunner
// and shows it: recall@K per direction, R@1/5/10 with confidence intervals,
// the compatibility criterion and G per adapter, per-category R@1, exports.

#include <QWidget>

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>

class QLabel;
class QLineEdit;
class QPushButton;
class QStandardItemModel;
class QTableView;

namespace xbt {
class UpgradeSession;
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
    void showResults(const nlohmann::json& results, const std::string& csv);
    const nlohmann::json& results() const { return results_; }
    // Rows: configurations; columns: T2I R@1,5,10 then I2T R@1,5,10. Each
    // cell's Qt::UserRole holds the recall as a fraction.
    QStandardItemModel* recallTable() const { return recall_; }
    QStandardItemModel* criterionTable() const { return criterion_; }
    QStandardItemModel* categoryTable() const { return categories_; }

    // The exports behind the buttons, without their file dialogs. Only the
    // Qt Charts painting stays on the GUI thread; encoding, the report and
    // the files are written by a job. `exported` or `exportFailed` follows.
    void exportPngsTo(const QString& dir);
    void exportCsvTo(const QString& path);
    void exportReportTo(const QString& dir, bool openWhenDone = false);

Q_SIGNALS:
    void evaluationFinished();
    void evaluationFailed(const QString& error);
    void exported(const QStringList& files);
    void exportFailed(const QString& error);

private:
    void exportPngs();
    void exportCsv();
    void exportReport();
    QString exportDir(const QString& title);
    void runExport(const QString& title, std::function<QStringList()> write, bool openFirstFile);
    void setExportEnabled(bool enabled);

    JobRunner* runner_;
    std::shared_ptr<UpgradeSession> session_;
    std::string workspaceDir_;
    nlohmann::json results_;
    std::string csv_;

    QPushButton* run_;
    QLineEdit* adapters_;
    QPushButton* png_;
    QPushButton* csvButton_;
    QPushButton* report_;
    QLabel* summary_;
    QLabel* exportStatus_;
    ChartImageView* t2i_;
    ChartImageView* i2t_;
    QStandardItemModel* recall_;
    QStandardItemModel* criterion_;
    QStandardItemModel* categories_;
};

}  // namespace xbt::ui

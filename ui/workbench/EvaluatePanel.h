#pragma once
// Runs the same evaluation as `xbt eval` (runEvaluation) in the JobRunner
// and shows it: recall@K per direction, R@1/5/10 with confidence intervals,
// the compatibility criterion and G per adapter, per-category R@1, exports.

#include <QWidget>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

class QLabel;
class QLineEdit;
class QPushButton;
class QStandardItemModel;
class QTableView;

namespace xbt::ui {

class ChartImageView;
class JobRunner;
class WorkspaceSession;
struct WorkspaceSummary;

class EvaluatePanel : public QWidget {
    Q_OBJECT
public:
    explicit EvaluatePanel(JobRunner* runner, QWidget* parent = nullptr);

    void setSession(std::shared_ptr<WorkspaceSession> session, const WorkspaceSummary& summary);
    void runEvaluation();
    void showResults(const nlohmann::json& results, const std::string& csv);
    const nlohmann::json& results() const { return results_; }
    // Rows: configurations; columns: T2I R@1,5,10 then I2T R@1,5,10. Each
    // cell's Qt::UserRole holds the recall as a fraction.
    QStandardItemModel* recallTable() const { return recall_; }
    QStandardItemModel* criterionTable() const { return criterion_; }
    QStandardItemModel* categoryTable() const { return categories_; }

Q_SIGNALS:
    void evaluationFinished();
    void evaluationFailed(const QString& error);

private:
    void exportPngs();
    void exportCsv();
    void exportReport();
    QString exportDir(const QString& title);

    JobRunner* runner_;
    std::shared_ptr<WorkspaceSession> session_;
    std::string workspaceDir_;
    nlohmann::json results_;
    std::string csv_;

    QPushButton* run_;
    QLineEdit* adapters_;
    QPushButton* png_;
    QPushButton* csvButton_;
    QPushButton* report_;
    QLabel* summary_;
    ChartImageView* t2i_;
    ChartImageView* i2t_;
    QStandardItemModel* recall_;
    QStandardItemModel* criterion_;
    QStandardItemModel* categories_;
};

}  // namespace xbt::ui

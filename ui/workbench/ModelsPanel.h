#pragma once
// The workspace's models (name, dims, resolution, fingerprint, device, or
// why one did not load), the choice of the old and the new model, its
// galleries and its adapters with their metrics.

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace xbt {
class UpgradeSession;
struct WorkspaceSummary;
}  // namespace xbt

namespace xbt::ui {

class JobRunner;
class ModelSpecChooser;

class ModelsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ModelsPanel(JobRunner* runner, QWidget* parent = nullptr);
    void setSession(std::shared_ptr<UpgradeSession> session, const WorkspaceSummary& summary);
    QTableWidget* modelsTable() const { return models_; }
    QTableWidget* adaptersTable() const { return adapters_; }
    ModelSpecChooser* oldChooser() const { return oldChooser_; }
    ModelSpecChooser* newChooser() const { return newChooser_; }
    QString statusText() const;

public Q_SLOTS:
    // Loads the chosen models on a worker, then rewrites upgrade.json.
    void applyModels();

Q_SIGNALS:
    // upgrade.json names other models now: every panel needs the summary.
    void modelsSwitched(const xbt::WorkspaceSummary& summary);
    void switchFailed(const QString& error);

private:
    void showSummary(const WorkspaceSummary& summary);

    JobRunner* runner_;
    std::shared_ptr<UpgradeSession> session_;
    QLabel* header_;
    ModelSpecChooser* oldChooser_;
    ModelSpecChooser* newChooser_;
    QComboBox* oldGallery_;
    QPushButton* apply_;
    QLabel* status_;
    QTableWidget* models_;
    QTableWidget* adapters_;
};

}  // namespace xbt::ui

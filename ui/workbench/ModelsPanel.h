#pragma once
// The workspace's models (name, dims, resolution, fingerprint, device, or
// why one did not load), its galleries and its adapters with their metrics.

#include <QWidget>

class QLabel;
class QTableWidget;

namespace xbt::ui {

struct WorkspaceSummary;

class ModelsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ModelsPanel(QWidget* parent = nullptr);
    void setSummary(const WorkspaceSummary& summary);
    QTableWidget* modelsTable() const { return models_; }
    QTableWidget* adaptersTable() const { return adapters_; }

private:
    QLabel* header_;
    QTableWidget* models_;
    QTableWidget* adapters_;
};

}  // namespace xbt::ui

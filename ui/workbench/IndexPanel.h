#pragma once
// Indexes an image folder into a gallery (GalleryIndexer, incremental) in
// the JobRunner, with progress, cancel and a table of files that failed.

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace xbt::ui {

class JobRunner;
class WorkspaceSession;
struct WorkspaceSummary;

class IndexPanel : public QWidget {
    Q_OBJECT
public:
    explicit IndexPanel(JobRunner* runner, QWidget* parent = nullptr);
    void setSession(std::shared_ptr<WorkspaceSession> session, const WorkspaceSummary& summary);
    void start();
    void setInputs(const QString& folder, const QString& gallery, const QString& modelSpec, const QString& captions = {});
    QTableWidget* failures() const { return failures_; }
    bool running() const { return job_ != 0; }

Q_SIGNALS:
    void galleryIndexed(const QString& gallery);
    void indexingFailed(const QString& error, bool cancelled);

private:
    JobRunner* runner_;
    std::shared_ptr<WorkspaceSession> session_;
    int job_ = 0;
    QLineEdit* folder_;
    QLineEdit* gallery_;
    QComboBox* model_;
    QLineEdit* captions_;
    QPushButton* start_;
    QPushButton* cancel_;
    QLabel* summary_;
    QTableWidget* failures_;
};

}  // namespace xbt::ui

#pragma once
// The main screen: one query (text, or an image from a file, a drop, the
// clipboard or a result) searched in every configuration side by side.
// Searches run in the JobRunner through an ExploreSearcher (shared with
// demo mode); a newer query supersedes a running one.

#include "ui/workbench/ExploreTypes.h"

#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QSplitter;

namespace xbt {
struct EvaluationOutcome;
class UpgradeSession;
struct WorkspaceSummary;
}  // namespace xbt

namespace xbt::ui {

class ExploreSearcher;
class JobRunner;
class ResultColumnView;
class ThumbnailLoader;

class ExplorePanel : public QWidget {
    Q_OBJECT
public:
    explicit ExplorePanel(JobRunner* runner, QWidget* parent = nullptr);

    void setSession(std::shared_ptr<UpgradeSession> session, const WorkspaceSummary& summary);
    void runTextQuery(const QString& text);
    void runImageQuery(const QString& path);
    void rerun();
    void focusQuery();
    void selectAdapter(const QString& name);
    // The workspace's demo list changed (edited in demo mode).
    void setDemoQueries(const QStringList& queries);
    // The latest evaluation's negative flips: per adapter configuration, the
    // queries today's system answered right at R@1 and it did not; picking
    // one runs it here.
    void setFlippedQueries(const std::shared_ptr<const EvaluationOutcome>& results);
    int flippedQueryCount() const;
    // The adapter column's re-ranking depth (0: off).
    void setRerankDepth(int k);

    int columnCount() const;  // columns shown for the last query
    ResultColumnView* column(int i) const;
    const std::optional<ExploreOutcome>& lastOutcome() const { return outcome_; }
    QString adapter() const;
    ThumbnailLoader* thumbnails() const { return thumbnails_; }

Q_SIGNALS:
    void queryFinished();
    void queryFailed(const QString& error);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void run(ComparisonQuery query);
    void showOutcome(const ExploreOutcome& outcome);
    void pasteImage();
    void highlight(const QString& path);
    void chooseImage();

    JobRunner* runner_;
    ExploreSearcher* searcher_;
    ThumbnailLoader* thumbnails_;
    std::optional<ExploreOutcome> outcome_;
    QString workspaceDir_;

    QLineEdit* query_;
    QPushButton* search_;
    QPushButton* image_;
    QComboBox* adapters_;
    QComboBox* examples_;
    QComboBox* flips_;
    QSpinBox* rerank_;
    QSpinBox* k_;
    QLabel* queryImage_;
    QLabel* status_;
    QSplitter* columnsSplitter_;
    std::vector<ResultColumnView*> columns_;
};

}  // namespace xbt::ui

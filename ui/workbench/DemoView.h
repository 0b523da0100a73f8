#pragma once
// Demo mode: one query at a time, in large type, for people deciding on the
// upgrade. The query comes from the workspace's demo list (next/previous
// with the arrow keys, PageUp/PageDown or the buttons) or is typed live; four
// columns show today's system, the naive upgrade, the compatible upgrade and
// a full re-index side by side, under the headline numbers (recall kept or
// gained, images not re-embedded, re-embedding time saved). Searches go
// through the same ExploreSearcher as the Explore panel; every disk, model
// and index access runs in the JobRunner.

#include "ui/workbench/DemoHeadline.h"
#include "ui/workbench/ExploreTypes.h"

#include <QStringList>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStandardItemModel;
class QTableView;
class QTimer;

namespace xbt {
class UpgradeSession;
struct WorkspaceSummary;
}  // namespace xbt

namespace xbt::ui {

class ExploreSearcher;
class JobRunner;
class ResultColumnView;
class ThumbnailLoader;

class DemoView : public QWidget {
    Q_OBJECT
public:
    explicit DemoView(JobRunner* runner, QWidget* parent = nullptr);

    void setSession(std::shared_ptr<UpgradeSession> session, const WorkspaceSummary& summary);

    // Shows the list's query at `index` (wrapping around) and searches it.
    void showQuery(int index);
    void next();
    void previous();
    // A query typed (or pasted) by the presenter; it is not added to the list.
    void runTypedQuery(const QString& text);
    // Reads the list file in the JobRunner, then opens the editor on it.
    void editQueries();
    // Saves the list's text atomically (in the JobRunner) and shows the new list.
    void saveQueries(const QString& text);
    // Reloads the headline numbers (after an evaluation or a new adapter).
    void refreshHeadline();

    QStringList queries() const { return queries_; }
    int currentIndex() const { return index_; }  // -1: a typed query
    QString currentQuery() const;
    QString adapter() const { return adapter_; }
    // Re-rank the adapter column's top `k` with the new model (0: off), as
    // Explore's re-rank box does; runs the current query again.
    void setRerankDepth(int k);
    int rerankDepth() const;
    int columnCount() const { return static_cast<int>(columns_.size()); }
    ResultColumnView* column(int i) const;
    const std::optional<ExploreOutcome>& lastOutcome() const { return outcome_; }
    const std::optional<DemoHeadline>& headline() const { return headline_; }
    // The upgrade decision table under the tiles, shown on request: path,
    // R@1 both ways, images re-embedded once and per query, time for 10
    // million images, text query latency.
    QStandardItemModel* upgradePathsTable() const { return pathsModel_; }
    void setUpgradePathsShown(bool shown);
    bool upgradePathsShown() const;
    QString headlineText() const;  // the three tiles, as one line of plain text
    ThumbnailLoader* thumbnails() const { return thumbnails_; }
    QString demoQueriesFile() const { return queriesFile_; }

Q_SIGNALS:
    void exitRequested();
    void queryFinished();
    void queryFailed(const QString& error);
    void headlineReady();
    void queriesSaved(const QStringList& queries);
    void saveFailed(const QString& error);

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    struct Tile {
        QLabel* value;
        QLabel* caption;
    };
    Tile makeTile(QWidget* parent, const QString& objectName);
    void search(const QString& text);
    void showCurrent();
    void showOutcome(const ExploreOutcome& outcome);
    void showHeadline();
    void updatePosition();
    void applyTypeScale();
    void highlight(const QString& path);

    JobRunner* runner_;
    ExploreSearcher* searcher_;
    ThumbnailLoader* thumbnails_;
    std::shared_ptr<UpgradeSession> session_;
    QString workspaceDir_;
    QString queriesFile_;
    QString adapter_;
    std::string oldFingerprint_, newFingerprint_;
    bool hasNewGallery_ = false;
    QStringList queries_;
    int index_ = -1;
    int headlineGeneration_ = 0;
    std::optional<ExploreOutcome> outcome_;
    std::optional<DemoHeadline> headline_;

    QLabel* title_;
    Tile recall_, images_, time_;
    QPushButton* previous_;
    QLineEdit* query_;
    QPushButton* next_;
    QLabel* position_;
    QPushButton* edit_;
    QCheckBox* rerank_;
    QPushButton* paths_;  // shows the upgrade decision table (Ctrl+U)
    QTableView* pathsTable_;
    QStandardItemModel* pathsModel_;
    QPushButton* exit_;
    std::vector<ResultColumnView*> columns_;
    QLabel* status_;
    QTimer* typing_;
};

}  // namespace xbt::ui

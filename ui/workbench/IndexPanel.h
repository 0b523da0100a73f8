#pragma once
// Fills a gallery in the JobRunner: indexes an image folder with its
// captions (an IndexJob: UpgradeSession::index, as `xbt index`, so running
// it again re-indexes only new and changed files; with an adapter, new
// images go into an old model's gallery), or imports embeddings made
// elsewhere (an ImportJob, as `xbt import`). Progress with count, rate and
// ETA, cancel, and a table of the files that failed and why. The backfill
// box re-embeds a share of the gallery with the workspace's new model (a
// BackfillJob, as `xbt backfill`: Cancel pauses, Backfill goes on), and
// promotes the new model once every image is done.

#include "core/gallery/GalleryOverview.h"

#include <QWidget>

#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace xbt {
class UpgradeSession;
struct ImportRunSummary;
struct IndexRunSummary;
struct WorkspaceSummary;
}  // namespace xbt

namespace xbt::ui {

class JobProgressView;
class JobRunner;

class IndexPanel : public QWidget {
    Q_OBJECT
public:
    explicit IndexPanel(JobRunner* runner, QWidget* parent = nullptr);
    void setSession(std::shared_ptr<UpgradeSession> session, const WorkspaceSummary& summary);
    void start();
    void startImport();
    void startBackfill();
    void promote();
    void cancel();
    // `captionFormat`: a CaptionSources name ("auto", "tsv", "sidecar", "csv", "coco", "flickr").
    void setInputs(const QString& folder, const QString& gallery, const QString& modelSpec, const QString& captions = {},
                   const QString& captionFormat = QStringLiteral("auto"));
    // `budget`: "" (all), "N" or "P%"; `order`: random | uncertainty | queries.
    void setBackfillInputs(const QString& order, const QString& budget, int seed = 0);
    QString backfillStatus() const;
    // An empty `pathsFile` reads <source>.txt, as `xbt import` does.
    void setImportInputs(const QString& source, const QString& pathsFile = {}, bool normalize = false, int checkSamples = 16);
    QTableWidget* failures() const { return failures_; }
    QString summaryText() const;
    JobProgressView* progress() const { return progress_; }
    bool running() const { return job_ != 0; }

Q_SIGNALS:
    void galleryIndexed(const QString& gallery);
    void indexingFailed(const QString& error, bool cancelled);

private:
    void setRunning(int job, const QString& title);
    void finished();
    void fillFromGallery(const QString& gallery);
    void showIndexSummary(const IndexRunSummary& summary);
    void showImportSummary(const ImportRunSummary& summary);
    void showFailures(const QList<QPair<QString, QString>>& rows);
    void showBackfillStatus();

    JobRunner* runner_;
    std::shared_ptr<UpgradeSession> session_;
    std::vector<GalleryOverview> galleries_;
    int job_ = 0;
    QLineEdit* folder_;
    QComboBox* gallery_;
    QComboBox* model_;
    QComboBox* adapter_;
    QLineEdit* captions_;
    QComboBox* captionFormat_;
    QCheckBox* sideInformation_;
    QPushButton* start_;
    QLineEdit* importSource_;
    QLineEdit* importPaths_;
    QCheckBox* normalize_;
    QCheckBox* acceptDisagreement_;
    QSpinBox* checkSamples_;
    QPushButton* import_;
    QString newModel_;  // the workspace's new model: what a backfill embeds with
    QComboBox* backfillOrder_;
    QLineEdit* backfillBudget_;
    QSpinBox* backfillSeed_;
    QPushButton* backfill_;
    QPushButton* promote_;
    QLabel* backfillStatus_;
    QPushButton* cancel_;
    JobProgressView* progress_;
    QLabel* summary_;
    QTableWidget* failures_;
};

}  // namespace xbt::ui

#pragma once
// Loads result thumbnails off the GUI thread, through the workspace's
// ThumbnailCache (made once, then read from disk). Requests come from item
// models' data(), which views call only for visible rows, and the newest
// request runs first, so what is on screen loads first.

#include <QHash>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QThreadPool>

#include <atomic>
#include <memory>

namespace xbt::ui {

class ThumbnailLoader : public QObject {
    Q_OBJECT
public:
    explicit ThumbnailLoader(QObject* parent = nullptr);
    ~ThumbnailLoader() override;

    void setWorkspaceDir(const QString& dir);
    // The thumbnail when loaded; otherwise a null image and a load is queued.
    QImage thumbnail(const QString& gallery, qint64 itemId, const QString& contentHash, const QString& imagePath);
    static QString keyOf(const QString& gallery, qint64 itemId, const QString& contentHash);
    int pendingCount() const { return pending_.size(); }

Q_SIGNALS:
    void thumbnailReady(const QString& key);

private:
    QThreadPool pool_;
    QString dir_;
    QHash<QString, QImage> cache_;
    QSet<QString> pending_;
    int priority_ = 0;
};

}  // namespace xbt::ui

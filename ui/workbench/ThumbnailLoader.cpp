#include "ui/workbench/ThumbnailLoader.h"

#include "core/gallery/ThumbnailCache.h"

#include <QMetaObject>
#include <QPointer>
#include <QRunnable>

namespace xbt::ui {

ThumbnailLoader::ThumbnailLoader(QObject* parent) : QObject(parent) { pool_.setMaxThreadCount(2); }

ThumbnailLoader::~ThumbnailLoader()
{
    pool_.clear();
    pool_.waitForDone();
}

void ThumbnailLoader::setWorkspaceDir(const QString& dir)
{
    if (dir == dir_)
        return;
    pool_.clear();
    dir_ = dir;
    cache_.clear();
    pending_.clear();
}

QString ThumbnailLoader::keyOf(const QString& gallery, qint64 itemId, const QString& contentHash)
{
    return gallery + QLatin1Char('/') + QString::number(itemId) + QLatin1Char('/') + contentHash;
}

QImage ThumbnailLoader::thumbnail(const QString& gallery, qint64 itemId, const QString& contentHash,
                                  const QString& imagePath)
{
    const QString key = keyOf(gallery, itemId, contentHash);
    if (auto it = cache_.constFind(key); it != cache_.constEnd())
        return *it;
    if (pending_.contains(key) || dir_.isEmpty())
        return {};
    pending_.insert(key);
    QPointer<ThumbnailLoader> self(this);
    const std::string dir = dir_.toStdString(), g = gallery.toStdString(), hash = contentHash.toStdString(),
                      path = imagePath.toStdString();
    const QString forDir = dir_;
    // Increasing priority: the latest request (what was just scrolled to) first.
    pool_.start(
        [self, key, dir, g, itemId, hash, path, forDir] {
            QImage image;
            try {
                const std::string png = ThumbnailCache(dir).thumbnail(g, itemId, hash, path);
                image.load(QString::fromStdString(png));
            } catch (const std::exception&) {
                // A broken image gets a placeholder; the result still lists it.
            }
            if (image.isNull()) {
                image = QImage(64, 64, QImage::Format_RGB32);
                image.fill(Qt::lightGray);
            }
            if (!self)
                return;
            QMetaObject::invokeMethod(
                self.data(),
                [self, key, image, forDir] {
                    if (!self || self->dir_ != forDir)
                        return;
                    self->pending_.remove(key);
                    self->cache_.insert(key, image);
                    Q_EMIT self->thumbnailReady(key);
                },
                Qt::QueuedConnection);
        },
        ++priority_);
    return {};
}

}  // namespace xbt::ui

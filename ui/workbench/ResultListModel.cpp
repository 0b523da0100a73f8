#include "ui/workbench/ResultListModel.h"

#include "ui/workbench/ThumbnailLoader.h"

#include <QDir>
#include <QFileInfo>
#include <QPixmap>

namespace xbt::ui {

ResultListModel::ResultListModel(ThumbnailLoader* thumbnails, QObject* parent)
    : QAbstractListModel(parent), thumbnails_(thumbnails)
{
    connect(thumbnails_, &ThumbnailLoader::thumbnailReady, this, &ResultListModel::onThumbnailReady);
}

void ResultListModel::setColumn(const ComparisonColumn& column)
{
    beginResetModel();
    column_ = column;
    endResetModel();
}

void ResultListModel::clear() { setColumn(ComparisonColumn{}); }

QString ResultListModel::absolutePath(const SearchHit& hit) const
{
    return QDir::cleanPath(QString::fromStdString(column_.results.root) + QLatin1Char('/') +
                           QString::fromStdString(hit.path));
}

void ResultListModel::setHighlightedPath(const QString& path)
{
    if (path == highlighted_)
        return;
    highlighted_ = path;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0), index(rowCount() - 1), {HighlightRole, Qt::BackgroundRole});
}

int ResultListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(column_.results.hits.size());
}

QVariant ResultListModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const size_t row = static_cast<size_t>(index.row());
    const SearchHit& hit = column_.results.hits[row];
    const bool truth = row < column_.groundTruth.size() && column_.groundTruth[row];
    switch (role) {
    case Qt::DisplayRole: {
        const QString head = QStringLiteral("#%1  %2").arg(hit.rank).arg(hit.score, 0, 'f', 3);
        if (captions())
            return head + QStringLiteral("  ") + QString::fromStdString(hit.caption) + (truth ? QStringLiteral("  \u2713") : QString());
        return head + (truth ? QStringLiteral(" \u2713") : QString());
    }
    case Qt::ToolTipRole:
        return QStringLiteral("rank %1, score %2\n%3%4%5")
            .arg(hit.rank)
            .arg(hit.score, 0, 'f', 4)
            .arg(absolutePath(hit))
            .arg(hit.caption.empty() ? QString() : QStringLiteral("\n") + QString::fromStdString(hit.caption))
            .arg(truth ? QStringLiteral("\nground truth for this query") : QString());
    case Qt::DecorationRole:
    case ThumbnailRole: {
        if (captions())
            return {};
        const QImage image = thumbnails_->thumbnail(QString::fromStdString(column_.results.gallery), hit.itemId,
                                                    QString::fromStdString(hit.contentHash), absolutePath(hit));
        return image.isNull() ? QVariant() : QVariant(image);
    }
    case RankRole: return hit.rank;
    case ScoreRole: return hit.score;
    case PathRole: return absolutePath(hit);
    case CaptionRole: return QString::fromStdString(hit.caption);
    case GroundTruthRole: return truth;
    case HighlightRole: return !highlighted_.isEmpty() && absolutePath(hit) == highlighted_;
    case ItemIdRole: return static_cast<qlonglong>(hit.itemId);
    default: return {};
    }
}

void ResultListModel::onThumbnailReady(const QString& key)
{
    const QString gallery = QString::fromStdString(column_.results.gallery);
    for (int row = 0; row < rowCount(); ++row) {
        const SearchHit& hit = column_.results.hits[static_cast<size_t>(row)];
        if (ThumbnailLoader::keyOf(gallery, hit.itemId, QString::fromStdString(hit.contentHash)) == key)
            Q_EMIT dataChanged(index(row), index(row), {Qt::DecorationRole, ThumbnailRole});
    }
}

}  // namespace xbt::ui

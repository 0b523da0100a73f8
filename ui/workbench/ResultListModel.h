#pragma once
// One Explore column's hits as a list model: images (T2I, thumbnails
// loaded lazily by ThumbnailLoader) or captions (I2T). Roles carry rank,
// score, ground truth and whether the hit is the one hovered in any column.

#include "ui/workbench/ExploreTypes.h"

#include <QAbstractListModel>

namespace xbt::ui {

class ThumbnailLoader;

class ResultListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        RankRole = Qt::UserRole + 1,
        ScoreRole,
        PathRole,        // absolute image path: the key shared by every column
        CaptionRole,
        GroundTruthRole,
        HighlightRole,
        ThumbnailRole,
        ItemIdRole,
    };

    ResultListModel(ThumbnailLoader* thumbnails, QObject* parent = nullptr);

    void setColumn(const ComparisonColumn& column);
    void clear();
    const ComparisonColumn& column() const { return column_; }
    bool captions() const { return column_.results.target == SearchTarget::Captions; }
    void setHighlightedPath(const QString& path);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;

private:
    void onThumbnailReady(const QString& key);
    QString absolutePath(const SearchHit& hit) const;

    ThumbnailLoader* thumbnails_;
    ComparisonColumn column_;
    QString highlighted_;
};

}  // namespace xbt::ui

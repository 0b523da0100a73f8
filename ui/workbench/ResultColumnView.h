#pragma once
// One Explore column: a title saying which query space searches which
// gallery, a line saying what that means, and the ranked results, or a
// clear panel when the column cannot be searched (e.g. not comparable).

#include "ui/workbench/ExploreTypes.h"

#include <QWidget>

class QLabel;
class QListView;
class QStackedWidget;

namespace xbt::ui {

class ResultDelegate;
class ResultListModel;
class ThumbnailLoader;

class ResultColumnView : public QWidget {
    Q_OBJECT
public:
    ResultColumnView(ThumbnailLoader* thumbnails, QWidget* parent = nullptr);

    void setColumn(const ComparisonColumn& column);
    ResultListModel* model() const { return model_; }
    QListView* view() const { return view_; }
    QString title() const;
    bool showsUnavailable() const;
    void setTileSide(int side);

Q_SIGNALS:
    void hovered(const QString& path);
    void queryWithImage(const QString& path);
    void openImage(const QString& path);
    void revealImage(const QString& path);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void showContextMenu(const QPoint& pos);
    void fitTiles();
    void updateFonts();

    ResultListModel* model_;
    ResultDelegate* delegate_;
    QLabel* title_;
    QLabel* subtitle_;
    QStackedWidget* stack_;
    QListView* view_;
    QLabel* unavailable_;
    int preferredTile_ = 120;
};

}  // namespace xbt::ui

#pragma once
// Paints one result: a thumbnail tile (T2I) or a caption row (I2T), with
// rank and score always visible, a green frame on the ground truth and a
// yellow wash on the item hovered in any column.

#include <QStyledItemDelegate>

namespace xbt::ui {

class ResultDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit ResultDelegate(QObject* parent = nullptr) : QStyledItemDelegate(parent) {}
    void setTileSide(int side) { tile_ = side; }
    int tileSide() const { return tile_; }

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

private:
    int tile_ = 120;
};

}  // namespace xbt::ui

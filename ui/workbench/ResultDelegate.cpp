#include "ui/workbench/ResultDelegate.h"

#include "ui/workbench/ResultListModel.h"

#include <QApplication>
#include <QPainter>

namespace xbt::ui {

namespace {
const QColor kTruth(40, 160, 60);
const QColor kHighlight(255, 225, 90);
}  // namespace

QSize ResultDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const int line = option.fontMetrics.height();
    if (index.data(ResultListModel::CaptionRole).toString().isEmpty())
        return {tile_ + 8, tile_ + line + 10};
    return {200, 2 * line + 10};
}

void ResultDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    painter->save();
    const QRect r = option.rect.adjusted(2, 2, -2, -2);
    const bool truth = index.data(ResultListModel::GroundTruthRole).toBool();
    const bool highlight = index.data(ResultListModel::HighlightRole).toBool();
    const bool selected = option.state & QStyle::State_Selected;
    if (highlight)
        painter->fillRect(r, kHighlight);
    else if (selected)
        painter->fillRect(r, option.palette.highlight().color().lighter(170));
    const QString rankText = QStringLiteral("#%1").arg(index.data(ResultListModel::RankRole).toInt());
    const QString scoreText = QString::number(index.data(ResultListModel::ScoreRole).toDouble(), 'f', 3);
    const QString caption = index.data(ResultListModel::CaptionRole).toString();
    const int line = option.fontMetrics.height();
    QFont bold = option.font;
    bold.setBold(true);

    if (caption.isEmpty()) {
        const QRect imageRect(r.left() + (r.width() - tile_) / 2, r.top() + 2, tile_, tile_);
        const QImage image = index.data(ResultListModel::ThumbnailRole).value<QImage>();
        if (image.isNull()) {
            painter->fillRect(imageRect, QColor(230, 230, 230));
        } else {
            const QImage scaled = image.scaled(imageRect.size(), Qt::KeepAspectRatio, Qt::SmoothTransformation);
            painter->drawImage(imageRect.left() + (imageRect.width() - scaled.width()) / 2,
                               imageRect.top() + (imageRect.height() - scaled.height()) / 2, scaled);
        }
        const QRect textRect(r.left(), imageRect.bottom() + 2, r.width(), line + 4);
        painter->setFont(bold);
        painter->setPen(truth ? kTruth : option.palette.text().color());
        // On a narrow tile (large type) the word goes and the tick stays, so
        // that the rank never runs into the score.
        QString label = rankText + (truth ? QStringLiteral(" \u2713 truth") : QString());
        const int scoreWidth = option.fontMetrics.horizontalAdvance(scoreText) + line / 2;
        if (truth && QFontMetrics(bold).horizontalAdvance(label) + scoreWidth > textRect.width())
            label = rankText + QStringLiteral(" \u2713");
        painter->drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter, label);
        painter->setFont(option.font);
        painter->setPen(option.palette.text().color());
        painter->drawText(textRect, Qt::AlignRight | Qt::AlignVCenter, scoreText);
        if (truth) {
            painter->setPen(QPen(kTruth, 4));
            painter->drawRect(imageRect.adjusted(1, 1, -1, -1));
        }
    } else {
        const QRect head(r.left() + 4, r.top() + 2, r.width() - 8, line);
        painter->setFont(bold);
        painter->setPen(truth ? kTruth : option.palette.text().color());
        painter->drawText(head, Qt::AlignLeft | Qt::AlignVCenter,
                          rankText + (truth ? QStringLiteral("  \u2713 ground truth") : QString()));
        painter->setFont(option.font);
        painter->setPen(option.palette.text().color());
        painter->drawText(head, Qt::AlignRight | Qt::AlignVCenter, scoreText);
        const QRect body(r.left() + 4, r.top() + 2 + line, r.width() - 8, line + 4);
        painter->drawText(body, Qt::AlignLeft | Qt::AlignVCenter,
                          option.fontMetrics.elidedText(caption, Qt::ElideRight, body.width()));
        if (truth) {
            painter->fillRect(QRect(r.left(), r.top(), 3, r.height()), kTruth);
        }
    }
    painter->restore();
}

}  // namespace xbt::ui

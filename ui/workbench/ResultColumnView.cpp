#include "ui/workbench/ResultColumnView.h"

#include "ui/workbench/FontScale.h"
#include "ui/workbench/ResultDelegate.h"
#include "ui/workbench/ResultListModel.h"

#include <QEvent>

#include <algorithm>
#include <QKeyEvent>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace xbt::ui {

ResultColumnView::ResultColumnView(ThumbnailLoader* thumbnails, QWidget* parent)
    : QWidget(parent), model_(new ResultListModel(thumbnails, this)), delegate_(new ResultDelegate(this)),
      title_(new QLabel), subtitle_(new QLabel), stack_(new QStackedWidget), view_(new QListView),
      unavailable_(new QLabel)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(2);
    updateFonts();
    subtitle_->setWordWrap(true);
    subtitle_->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    layout->addWidget(title_);
    layout->addWidget(subtitle_);
    layout->addWidget(stack_, 1);

    view_->setModel(model_);
    view_->setItemDelegate(delegate_);
    view_->setMouseTracking(true);
    view_->setContextMenuPolicy(Qt::CustomContextMenu);
    view_->setSelectionMode(QAbstractItemView::SingleSelection);
    stack_->addWidget(view_);

    unavailable_->setWordWrap(true);
    unavailable_->setAlignment(Qt::AlignCenter);
    unavailable_->setMargin(16);
    unavailable_->setStyleSheet(QStringLiteral("QLabel { background: #f3f3f3; color: #8a1c1c; border: 1px dashed #b0b0b0; }"));
    stack_->addWidget(unavailable_);

    connect(view_, &QListView::entered, this, [this](const QModelIndex& i) {
        Q_EMIT hovered(i.data(ResultListModel::PathRole).toString());
    });
    view_->viewport()->installEventFilter(this);
    connect(view_, &QListView::activated, this, [this](const QModelIndex& i) {
        Q_EMIT openImage(i.data(ResultListModel::PathRole).toString());
    });
    connect(view_, &QListView::customContextMenuRequested, this, &ResultColumnView::showContextMenu);
}

QString ResultColumnView::title() const { return title_->text(); }

bool ResultColumnView::showsUnavailable() const { return stack_->currentWidget() == unavailable_; }

void ResultColumnView::updateFonts()
{
    QFont f = scaledFont(font(), 1.25);
    f.setBold(true);
    title_->setFont(f);
    // A widget with a style sheet does not pick up its parent's later font
    // changes: the not-comparable message is sized here, a little larger
    // than the results since it is the column's whole message.
    unavailable_->setFont(scaledFont(font(), 1.1));
    // Two lines for every subtitle, wrapped or not, so that the results of
    // side-by-side columns start at the same height.
    subtitle_->setMinimumHeight(2 * subtitle_->fontMetrics().lineSpacing());
}

void ResultColumnView::changeEvent(QEvent* event)
{
    // The title's font is set explicitly, so it would not follow a new
    // parent font (demo mode's large type) on its own.
    if (event->type() == QEvent::FontChange)
        updateFonts();
    QWidget::changeEvent(event);
}

void ResultColumnView::setTileSide(int side)
{
    preferredTile_ = side;
    fitTiles();
}

void ResultColumnView::fitTiles()
{
    // As many tiles per row as fit at about the preferred size, then grown
    // to use the whole width: no ragged empty band on the right.
    const int width = view_->viewport()->width() - 2 * view_->spacing() - 2;
    const int cell = preferredTile_ + 8 + 2 * view_->spacing();
    const int perRow = std::max(1, width / cell);
    const int side = std::max(48, width / perRow - 8 - 2 * view_->spacing());
    if (side != delegate_->tileSide()) {
        delegate_->setTileSide(side);
        Q_EMIT delegate_->sizeHintChanged(QModelIndex());
    }
}

void ResultColumnView::setColumn(const ComparisonColumn& column)
{
    title_->setText(QString::fromStdString(column.title));
    QString subtitle = QString::fromStdString(column.subtitle);
    if (column.incompatible)
        subtitle_->setStyleSheet(QStringLiteral("color: #b02020;"));
    else
        subtitle_->setStyleSheet(QString());
    subtitle_->setText(subtitle);
    model_->setColumn(column);
    if (!column.unavailable.empty()) {
        unavailable_->setText(QString::fromStdString(column.unavailable));
        stack_->setCurrentWidget(unavailable_);
        return;
    }
    stack_->setCurrentWidget(view_);
    // Thumbnails flow in a grid; captions read best as a ranked list.
    if (model_->captions()) {
        view_->setViewMode(QListView::ListMode);
        view_->setFlow(QListView::TopToBottom);
        view_->setWrapping(false);
    } else {
        view_->setViewMode(QListView::IconMode);
        view_->setFlow(QListView::LeftToRight);
        view_->setWrapping(true);
        view_->setResizeMode(QListView::Adjust);
        view_->setMovement(QListView::Static);
        view_->setSpacing(2);
    }
    view_->scrollToTop();
}

bool ResultColumnView::eventFilter(QObject* watched, QEvent* event)
{
    // Leaving the results clears the cross-column highlight.
    if (watched == view_->viewport() && event->type() == QEvent::Leave)
        Q_EMIT hovered(QString());
    if (watched == view_->viewport() && event->type() == QEvent::Resize)
        fitTiles();
    return QWidget::eventFilter(watched, event);
}

void ResultColumnView::showContextMenu(const QPoint& pos)
{
    const QModelIndex i = view_->indexAt(pos);
    if (!i.isValid())
        return;
    const QString path = i.data(ResultListModel::PathRole).toString();
    QMenu menu(this);
    menu.addAction(tr("Query with this image"), this, [this, path] { Q_EMIT queryWithImage(path); });
    menu.addAction(tr("Open image"), this, [this, path] { Q_EMIT openImage(path); });
    menu.addAction(tr("Reveal in folder"), this, [this, path] { Q_EMIT revealImage(path); });
    menu.exec(view_->viewport()->mapToGlobal(pos));
}

}  // namespace xbt::ui

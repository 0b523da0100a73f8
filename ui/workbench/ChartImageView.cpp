#include "ui/workbench/ChartImageView.h"

#include <QPainter>

namespace xbt::ui {

ChartImageView::ChartImageView(QWidget* parent) : QWidget(parent) { setMinimumSize(320, 220); }

void ChartImageView::setRenderer(Renderer renderer)
{
    renderer_ = std::move(renderer);
    render();
}

void ChartImageView::render()
{
    image_ = renderer_ && width() > 10 && height() > 10 ? renderer_(size()) : QImage();
    update();
}

void ChartImageView::resizeEvent(QResizeEvent*) { render(); }

void ChartImageView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), Qt::white);
    if (image_.isNull()) {
        p.setPen(Qt::gray);
        p.drawText(rect(), Qt::AlignCenter, tr("Run the evaluation (Ctrl+E) to see recall@K"));
        return;
    }
    p.drawImage(0, 0, image_);
}

}  // namespace xbt::ui

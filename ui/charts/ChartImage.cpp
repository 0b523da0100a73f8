#include "ui/charts/ChartImage.h"

#include <QChart>
#include <QGraphicsScene>
#include <QPainter>

namespace xbt::charts {

QImage paintChart(QChart* chart, QSize size)
{
    QGraphicsScene scene;
    scene.addItem(chart);  // the scene owns and deletes it
    chart->setGeometry(QRectF(QPointF(0, 0), QSizeF(size)));
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    scene.render(&painter, QRectF(image.rect()), QRectF(QPointF(0, 0), QSizeF(size)));
    painter.end();
    return image;
}

}  // namespace xbt::charts

#pragma once
// Paints a Qt Chart into an image off screen (no view, no display): what the
// report's Qt Charts (recall, backfill curve) share.

#include <QImage>
#include <QSize>

QT_BEGIN_NAMESPACE
class QChart;
QT_END_NAMESPACE

namespace xbt::charts {

// Takes ownership of `chart`, lays it out at `size` and returns it painted on
// white, antialiased. Call on the GUI thread (Qt Charts are QGraphicsWidgets).
QImage paintChart(QChart* chart, QSize size);

}  // namespace xbt::charts

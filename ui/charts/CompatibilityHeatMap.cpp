#include "ui/charts/CompatibilityHeatMap.h"

#include "ui/charts/EvaluationCharts.h"
#include "ui/charts/ReportFormat.h"

#include <QFontMetrics>
#include <QLinearGradient>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace xbt::charts {

namespace {

// Viridis stops from low recall (dark) to high (light): a perceptually even scale
// that still reads in greyscale print.
const QColor kScale[] = {QColor(68, 1, 84), QColor(59, 82, 139), QColor(33, 145, 140), QColor(94, 201, 98),
                         QColor(253, 231, 37)};

QString rowLabel(const std::string& space) { return QStringLiteral("query: ") + QString::fromStdString(space); }
QString columnLabel(const std::string& space) { return QStringLiteral("gallery: ") + QString::fromStdString(space); }

}  // namespace

CompatibilityHeatMap::CompatibilityHeatMap(const CompatibilityMatrix& matrix, RetrievalDirection direction, QSize size)
    : matrix_(matrix), direction_(direction), size_(size),
      scale_(std::min(size.width() / 1200.0, size.height() / 800.0))
{
    const int margin = static_cast<int>(24 * scale_);
    const QFontMetrics labels(pixelFont(23 * scale_, true));
    int rowLabelWidth = 0;
    for (const std::string& r : matrix_.rows)
        rowLabelWidth = std::max(rowLabelWidth, labels.horizontalAdvance(rowLabel(r)));
    const int titleHeight = QFontMetrics(pixelFont(30 * scale_, true)).height() * 2;
    const int columnLabelHeight = labels.height() * 2;
    const int barWidth = static_cast<int>(110 * scale_);
    title_ = QRect(margin, margin / 2, size.width() - 2 * margin, titleHeight);
    const int left = margin + rowLabelWidth + margin / 2;
    const int top = title_.bottom() + columnLabelHeight;
    grid_ = QRect(left, top, size.width() - left - barWidth - 2 * margin, size.height() - top - margin);
    colorBar_ = QRect(grid_.right() + margin, top, static_cast<int>(28 * scale_), grid_.height());
}

QColor CompatibilityHeatMap::notComparableColor() { return QColor(215, 215, 215); }

QColor CompatibilityHeatMap::cellColor(double fraction) const
{
    const double x = std::clamp(fraction, 0.0, 1.0) * (std::size(kScale) - 1);
    const size_t i = std::min(static_cast<size_t>(x), std::size(kScale) - 2);
    const double t = x - static_cast<double>(i);
    const QColor& a = kScale[i];
    const QColor& b = kScale[i + 1];
    return QColor::fromRgbF(static_cast<float>(a.redF() + t * (b.redF() - a.redF())),
                            static_cast<float>(a.greenF() + t * (b.greenF() - a.greenF())),
                            static_cast<float>(a.blueF() + t * (b.blueF() - a.blueF())));
}

QRect CompatibilityHeatMap::cellRect(int row, int column) const
{
    const int rows = std::max<int>(1, static_cast<int>(matrix_.rows.size()));
    const int columns = std::max<int>(1, static_cast<int>(matrix_.columns.size()));
    const int x0 = grid_.left() + grid_.width() * column / columns;
    const int x1 = grid_.left() + grid_.width() * (column + 1) / columns;
    const int y0 = grid_.top() + grid_.height() * row / rows;
    const int y1 = grid_.top() + grid_.height() * (row + 1) / rows;
    return QRect(QPoint(x0, y0), QPoint(x1 - 1, y1 - 1));
}

QString CompatibilityHeatMap::cellText(int row, int column) const
{
    const std::optional<double>& v =
        matrix_.in(direction_).at(static_cast<size_t>(row)).at(static_cast<size_t>(column));
    return v ? percentText(*v) : QStringLiteral("n/c");
}

void CompatibilityHeatMap::drawColorBar(QPainter& p) const
{
    QLinearGradient gradient(colorBar_.bottomLeft(), colorBar_.topLeft());
    for (size_t i = 0; i < std::size(kScale); ++i)
        gradient.setColorAt(static_cast<double>(i) / (std::size(kScale) - 1), kScale[i]);
    p.fillRect(colorBar_, gradient);
    p.setPen(QPen(Qt::black, 1));
    p.drawRect(colorBar_);
    p.setFont(pixelFont(20 * scale_));
    const QFontMetrics fm(p.font());
    for (int percent = 0; percent <= 100; percent += 25) {
        const int y = colorBar_.bottom() - colorBar_.height() * percent / 100;
        p.drawLine(colorBar_.right(), y, colorBar_.right() + static_cast<int>(6 * scale_), y);
        p.drawText(colorBar_.right() + static_cast<int>(9 * scale_), y + fm.ascent() / 2 - 1,
                   QString::number(percent) + QLatin1Char('%'));
    }
}

QImage CompatibilityHeatMap::render() const
{
    QImage image(size_, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);

    p.setPen(Qt::black);
    p.setFont(pixelFont(30 * scale_, true));
    p.drawText(title_, Qt::AlignLeft | Qt::AlignTop,
               directionTitle(direction_) + QStringLiteral(": R@1 of each query space on each gallery space"));
    p.setFont(pixelFont(20 * scale_));
    p.drawText(title_, Qt::AlignLeft | Qt::AlignBottom,
               QStringLiteral("n/c = not comparable (spaces do not match) or not measured"));

    const QFont labelFont = pixelFont(23 * scale_, true);
    const int rows = static_cast<int>(matrix_.rows.size());
    const int columns = static_cast<int>(matrix_.columns.size());
    p.setFont(labelFont);
    for (int c = 0; c < columns; ++c) {
        const QRect cell = cellRect(0, c);
        p.drawText(QRect(cell.left(), title_.bottom(), cell.width(), grid_.top() - title_.bottom()),
                   Qt::AlignCenter, columnLabel(matrix_.columns[static_cast<size_t>(c)]));
    }
    for (int r = 0; r < rows; ++r) {
        const QRect cell = cellRect(r, 0);
        p.drawText(QRect(0, cell.top(), grid_.left() - static_cast<int>(12 * scale_), cell.height()),
                   Qt::AlignRight | Qt::AlignVCenter, rowLabel(matrix_.rows[static_cast<size_t>(r)]));
    }
    if (rows == 0 || columns == 0) {
        p.drawText(grid_, Qt::AlignCenter, QStringLiteral("no configuration to show"));
        return image;
    }

    const double cellHeight = static_cast<double>(grid_.height()) / rows;
    const double cellWidth = static_cast<double>(grid_.width()) / columns;
    p.setFont(pixelFont(std::min({cellHeight * 0.3, cellWidth * 0.2, 40 * scale_}), true));
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < columns; ++c) {
            const QRect cell = cellRect(r, c);
            const std::optional<double>& v = matrix_.in(direction_)[static_cast<size_t>(r)][static_cast<size_t>(c)];
            const QColor fill = v ? cellColor(*v) : notComparableColor();
            p.fillRect(cell, fill);
            const bool dark = fill.lightnessF() < 0.5;
            p.setPen(v ? (dark ? Qt::white : Qt::black) : QColor(90, 90, 90));
            p.drawText(cell, Qt::AlignCenter, cellText(r, c));
        }
    p.setPen(QPen(Qt::white, std::max(2.0, 4 * scale_)));
    for (int r = 0; r <= rows; ++r) {
        const int y = grid_.top() + grid_.height() * r / rows;
        p.drawLine(grid_.left(), y, grid_.right(), y);
    }
    for (int c = 0; c <= columns; ++c) {
        const int x = grid_.left() + grid_.width() * c / columns;
        p.drawLine(x, grid_.top(), x, grid_.bottom());
    }
    drawColorBar(p);
    p.end();
    return image;
}

}  // namespace xbt::charts

namespace xbt {

QImage renderCompatibilityMatrix(const EvaluationOutcome& results, RetrievalDirection direction, QSize size)
{
    return charts::CompatibilityHeatMap(results.matrix, direction, size).render();
}

}  // namespace xbt

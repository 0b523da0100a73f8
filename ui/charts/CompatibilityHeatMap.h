#pragma once
// The compatibility matrix as a heat map: R@1 of each query space (rows)
// against each gallery space (columns), the value written in every cell and
// grey "n/c" cells where the spaces cannot be compared. Drawn with QPainter:
// Qt Charts has no heat map.

#include "core/eval/EvaluationResults.h"

#include <QColor>
#include <QImage>
#include <QRect>
#include <QString>

class QPainter;

namespace xbt::charts {

class CompatibilityHeatMap {
public:
    // `matrix` must outlive the heat map.
    CompatibilityHeatMap(const CompatibilityMatrix& matrix, RetrievalDirection direction, QSize size);

    QImage render() const;
    // Where a cell is drawn, and what it says ("52.3%" or "n/c").
    QRect cellRect(int row, int column) const;
    QString cellText(int row, int column) const;
    static QColor notComparableColor();

private:
    QColor cellColor(double fraction) const;
    void drawColorBar(QPainter& p) const;

    const CompatibilityMatrix& matrix_;
    RetrievalDirection direction_;
    QSize size_;
    double scale_;
    QRect grid_;      // the cells
    QRect colorBar_;  // the 0..100% legend
    QRect title_;
};

}  // namespace xbt::charts

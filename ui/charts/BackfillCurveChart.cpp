// renderBackfillCurveChart: R@1 against the share of the gallery backfilled
// (xbt eval --backfill-curve), one line per order and score mixing.
#include "ui/charts/ChartImage.h"
#include "ui/charts/EvaluationCharts.h"
#include "ui/charts/ReportFormat.h"

#include <QChart>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>

#include <algorithm>
#include <map>

namespace xbt {

using namespace charts;

namespace {

// One colour per order; raw mixing solid, calibrated dashed.
QColor orderColor(const std::string& order)
{
    static const std::map<std::string, QColor> colors = {
        {"random", QColor(125, 125, 125)}, {"uncertainty", QColor(31, 119, 180)}, {"queries", QColor(255, 127, 14)}};
    const auto it = colors.find(order);
    return it == colors.end() ? QColor(44, 160, 44) : it->second;
}

QValueAxis* percentAxis(const QString& title, double low, double high, const QFont& labels, const QFont& titleFont)
{
    auto* axis = new QValueAxis;
    axis->setRange(low, high);
    axis->setTickCount(11);
    axis->setLabelFormat(QStringLiteral("%.0f"));
    axis->setLabelsFont(labels);
    axis->setTitleFont(titleFont);
    axis->setTitleText(title);
    return axis;
}

}  // namespace

QImage renderBackfillCurveChart(const EvaluationOutcome& results, RetrievalDirection direction, QSize size)
{
    const double scale = std::min(size.width() / 1200.0, size.height() / 800.0);
    auto* chart = new QChart;  // owned by the scene below
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setBackgroundRoundness(0);
    chart->setTitleFont(pixelFont(30 * scale, true));
    chart->legend()->setAlignment(Qt::AlignRight);
    chart->legend()->setFont(pixelFont(21 * scale));
    const BackfillCurve& curve = results.backfillCurve;
    chart->setTitle(directionTitle(direction) + QStringLiteral(": R@1 with part of the gallery backfilled") +
                    (curve.empty() ? QStringLiteral(" (not measured)") : QString()));

    // The y range follows the data (R@1 moves between the adapter's and the
    // full re-index's), padded to whole multiples of 10.
    double low = 100.0, high = 0.0;
    for (const BackfillSeries& s : curve.series)
        for (const BackfillPoint& p : s.points) {
            const double r1 = 100.0 * (direction == RetrievalDirection::TextToImage ? p.textToImage.r1 : p.imageToText.r1);
            low = std::min(low, r1);
            high = std::max(high, r1);
        }
    if (low > high)
        low = 0.0, high = 100.0;
    low = std::max(0.0, 10.0 * std::floor(low / 10.0 - 0.001));
    high = std::min(100.0, 10.0 * std::ceil(high / 10.0 + 0.001));
    QValueAxis* x = percentAxis(QStringLiteral("% of the gallery's images re-embedded by the new model"), 0, 100,
                                pixelFont(22 * scale), pixelFont(23 * scale, true));
    QValueAxis* y = percentAxis(QStringLiteral("R@1 (% of queries)"), low, high, pixelFont(22 * scale),
                                pixelFont(23 * scale, true));
    y->setTickCount(static_cast<int>((high - low) / 10.0) + 1);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (const BackfillSeries& s : curve.series) {
        auto* line = new QLineSeries;
        line->setName(QString::fromStdString(s.order) + QStringLiteral(", ") + QString::fromStdString(s.mix));
        for (const BackfillPoint& p : s.points)
            line->append(100.0 * p.fraction,
                         100.0 * (direction == RetrievalDirection::TextToImage ? p.textToImage.r1 : p.imageToText.r1));
        QPen pen(orderColor(s.order), 4.0 * scale);
        pen.setStyle(s.mix == "raw" ? Qt::SolidLine : Qt::DashLine);
        line->setPen(pen);
        line->setPointsVisible(true);
        chart->addSeries(line);
        line->attachAxis(x);
        line->attachAxis(y);
    }

    return paintChart(chart, size);
}

}  // namespace xbt

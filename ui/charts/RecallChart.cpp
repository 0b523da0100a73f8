// renderRecallChart: recall@K curves with Qt Charts, painted into a QImage.
#include "ui/charts/ChartImage.h"
#include "ui/charts/EvaluationCharts.h"
#include "ui/charts/ReportFormat.h"

#include <QCategoryAxis>
#include <QChart>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPen>
#include <QScatterSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace xbt {

using namespace charts;

namespace {

// Adapters get strong colours; red is kept for the raw (incompatible) line.
const QColor kAdapterPalette[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),
                                  QColor(148, 103, 189), QColor(23, 190, 207), QColor(140, 86, 75),
                                  QColor(227, 119, 194)};
const QColor kTodayColor(125, 125, 125);
const QColor kBackfillColor(25, 25, 25);
const QColor kRawColor(214, 39, 40);

struct SeriesStyle {
    QColor color;
    Qt::PenStyle line = Qt::SolidLine;
};

class StylePicker {
public:
    SeriesStyle styleFor(const ConfigurationResult& c)
    {
        if (c.role == ConfigurationRole::Today)
            return {kTodayColor};
        if (c.role == ConfigurationRole::Backfill)
            return {kBackfillColor};
        if (c.role == ConfigurationRole::Raw || c.incompatibleComparison)
            return {kRawColor, Qt::DashLine};
        const QColor color = kAdapterPalette[next_++ % std::size(kAdapterPalette)];
        return {color, c.role == ConfigurationRole::GalleryTransform ? Qt::DashDotLine : Qt::SolidLine};
    }

private:
    size_t next_ = 0;
};

// The x axis is log10(K) so that K = 1..10, where users look, gets room;
// labels sit at the round values 1, 2, 5, 10, 20, 50, 100, ...
QCategoryAxis* logKAxis(int maxK, const QFont& labels, const QFont& title)
{
    auto* axis = new QCategoryAxis;
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    const double pad = 0.02 * std::max(1.0, std::log10(maxK));
    axis->setRange(-pad, std::log10(maxK) + pad);
    axis->setStartValue(-pad);
    for (int decade = 1; decade <= maxK; decade *= 10)
        for (int step : {1, 2, 5})
            if (step * decade <= maxK)
                axis->append(QString::number(step * decade), std::log10(step * decade));
    axis->setLabelsFont(labels);
    axis->setTitleFont(title);
    axis->setTitleText(QStringLiteral("K = number of results looked at (log scale)"));
    return axis;
}

QValueAxis* recallAxis(const QFont& labels, const QFont& title)
{
    auto* axis = new QValueAxis;
    axis->setRange(0, 100);
    axis->setTickCount(11);
    axis->setLabelFormat(QStringLiteral("%.0f"));
    axis->setLabelsFont(labels);
    axis->setTitleFont(title);
    axis->setTitleText(QStringLiteral("Recall@K (% of queries)"));
    return axis;
}

// Legend labels must stay short: Qt elides what does not fit beside the plot.
QString shortRole(const ConfigurationResult& c)
{
    switch (c.role) {
    case ConfigurationRole::Today: return QStringLiteral("today");
    case ConfigurationRole::Backfill: return QStringLiteral("full backfill");
    case ConfigurationRole::Raw: return QStringLiteral("no adapter");
    case ConfigurationRole::GalleryTransform: return QStringLiteral("gallery transform");
    case ConfigurationRole::Compatible: return QStringLiteral("compatible model");
    case ConfigurationRole::Compared: return QStringLiteral("its full backfill");
    case ConfigurationRole::Ceiling: return QStringLiteral("ceiling (diagnostic)");
    case ConfigurationRole::Rerank: return QStringLiteral("re-rank @") + QString::number(c.rerankK);
    case ConfigurationRole::Adapter:
    case ConfigurationRole::Other: break;
    }
    return QString::fromLatin1(roleName(c.role));
}

}  // namespace

QImage renderRecallChart(const EvaluationOutcome& results, RetrievalDirection direction, QSize size)
{
    // Fonts and pens were tuned at 1200x800; other sizes scale them.
    const double scale = std::min(size.width() / 1200.0, size.height() / 800.0);
    auto* chart = new QChart;  // owned by the scene below
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setBackgroundRoundness(0);
    chart->setTitleFont(pixelFont(30 * scale, true));
    chart->legend()->setAlignment(Qt::AlignRight);
    chart->legend()->setFont(pixelFont(21 * scale));

    std::vector<const ConfigurationResult*> plotted;
    int maxK = 1;
    for (const ConfigurationResult& c : results.configurations) {
        const std::vector<double>& curve = c.recall.in(direction).curve;
        if (c.comparable && c.has(direction) && !curve.empty()) {
            plotted.push_back(&c);
            maxK = std::max(maxK, static_cast<int>(curve.size()));
        }
    }
    const QString what = direction == RetrievalDirection::TextToImage
                             ? QStringLiteral("text queries finding their image")
                             : QStringLiteral("image queries finding a caption");
    chart->setTitle(directionTitle(direction) + QStringLiteral(": ") + what +
                    (plotted.empty() ? QStringLiteral(" (no comparable configuration)") : QString()));

    QCategoryAxis* xAxis = logKAxis(std::max(maxK, 2), pixelFont(22 * scale), pixelFont(23 * scale, true));
    QValueAxis* yAxis = recallAxis(pixelFont(22 * scale), pixelFont(23 * scale, true));
    chart->addAxis(xAxis, Qt::AlignBottom);
    chart->addAxis(yAxis, Qt::AlignLeft);

    StylePicker styles;
    for (const ConfigurationResult* c : plotted) {
        const std::vector<double>& curve = c->recall.in(direction).curve;
        const SeriesStyle style = styles.styleFor(*c);
        auto* line = new QLineSeries;
        line->setName(QString::fromStdString(c->name) + QStringLiteral("  (") + shortRole(*c) + QLatin1Char(')'));
        for (size_t k = 1; k <= curve.size(); ++k)
            line->append(std::log10(static_cast<double>(k)), 100.0 * curve[k - 1]);
        QPen pen(style.color, (style.line == Qt::SolidLine ? 4.0 : 3.5) * scale);
        pen.setStyle(style.line);
        line->setPen(pen);
        // Dots at the K values the report's tables give, in the line's colour.
        auto* dots = new QScatterSeries;
        dots->setMarkerSize(13 * scale);
        dots->setColor(style.color);
        dots->setBorderColor(Qt::white);
        for (int k : kReportedK)
            if (static_cast<size_t>(k) <= curve.size())
                dots->append(std::log10(k), 100.0 * c->summary(direction).recallAt(k));
        for (QXYSeries* s : {static_cast<QXYSeries*>(line), static_cast<QXYSeries*>(dots)}) {
            chart->addSeries(s);
            s->attachAxis(xAxis);
            s->attachAxis(yAxis);
        }
        for (QLegendMarker* m : chart->legend()->markers(dots))
            m->setVisible(false);
    }

    return paintChart(chart, size);
}

}  // namespace xbt

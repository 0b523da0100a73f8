#include "ui/charts/EvaluationReport.h"

#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "ui/charts/EvaluationCharts.h"
#include "ui/charts/OffscreenGui.h"
#include "ui/charts/ReportHtml.h"

#include <QAbstractTextDocumentLayout>
#include <QBuffer>
#include <QFont>
#include <QMap>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QTextDocument>
#include <QTextFrame>
#include <QUrl>

#include <filesystem>

namespace xbt {

using namespace charts;

namespace {

// Charts are drawn at this size; the report scales them to its column.
const QSize kChartSize(1200, 800);
// Display sizes in CSS pixels: a browser column, and two charts to an A4 page.
const QSize kHtmlChartSize = kChartSize.scaled(900, 900, Qt::KeepAspectRatio);
const QSize kPdfChartSize = kChartSize.scaled(560, 560, Qt::KeepAspectRatio);
// A4 page margin in CSS pixels (1.8 cm).
constexpr double kPdfMargin = 68;

std::string bytesOf(const QByteArray& a) { return std::string(a.constData(), static_cast<size_t>(a.size())); }

QByteArray pngBytes(const QImage& image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG"))
        throw Error("could not encode a chart as PNG (is Qt's PNG support missing?)");
    return bytes;
}

// Lays the report out on A4 pages ourselves rather than with
// QTextDocument::print, which lays it out again against the printer, where
// charts came out at another scale than the text. Here the layout stays in
// CSS pixels, as the HTML says, and only the painter scales.
QByteArray pdfBytes(const QString& html, const QMap<QString, QImage>& charts)
{
    QTextDocument document;
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPointSizeF(9.5);
    document.setDefaultFont(font);
    for (auto it = charts.begin(); it != charts.end(); ++it)
        document.addResource(QTextDocument::ImageResource, QUrl(it.key()), it.value());
    document.setHtml(html);

    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter writer(&buffer);
    writer.setPageSize(QPageSize(QPageSize::A4));
    writer.setPageMargins(QMarginsF(0, 0, 0, 0));
    writer.setResolution(300);
    writer.setTitle(QStringLiteral("Model upgrade evaluation"));
    writer.setCreator(QStringLiteral("xbt report"));
    // The document is laid out in CSS pixels (96 per inch); the painter scales to the writer.
    const double scale = writer.logicalDpiX() / 96.0;
    const QSizeF page(writer.width() / scale, writer.height() / scale);
    QTextFrameFormat frame = document.rootFrame()->frameFormat();
    frame.setMargin(kPdfMargin);
    document.rootFrame()->setFrameFormat(frame);
    document.setPageSize(page);

    QPainter painter(&writer);
    const int pages = document.pageCount();
    for (int p = 0; p < pages; ++p) {
        if (p > 0)
            writer.newPage();
        painter.save();
        painter.scale(scale, scale);
        const QRectF area(QPointF(0, p * page.height()), page);
        painter.translate(0, -area.top());
        QAbstractTextDocumentLayout::PaintContext context;
        context.clip = area;
        document.documentLayout()->draw(&painter, context);
        painter.restore();
        painter.save();
        painter.scale(scale, scale);
        QFont footer = font;
        footer.setPixelSize(11);  // CSS pixels: the painter is scaled
        painter.setFont(footer);
        painter.setPen(Qt::darkGray);
        painter.drawText(QRectF(0, page.height() - kPdfMargin, page.width(), kPdfMargin / 2),
                         Qt::AlignCenter, QStringLiteral("%1 / %2").arg(p + 1).arg(pages));
        painter.restore();
    }
    painter.end();
    return bytes;
}

}  // namespace

void writeChartPng(const QImage& chart, const std::string& path) { writeFileAtomic(path, bytesOf(pngBytes(chart))); }

RecallChartImages renderReportRecallCharts(const EvaluationOutcome& results)
{
    ensureGuiApplication();
    RecallChartImages charts;
    for (RetrievalDirection d : kRetrievalDirections) {
        charts[chartFileName(ChartKind::Recall, d)] = renderRecallChart(results, d, kChartSize);
        if (!results.backfillCurve.empty())
            charts[chartFileName(ChartKind::BackfillCurve, d)] = renderBackfillCurveChart(results, d, kChartSize);
    }
    return charts;
}

ReportFiles writeEvaluationReport(const EvaluationOutcome& results, const RecallChartImages& recallCharts,
                                  const std::string& outDir)
{
    createDirectories(outDir);
    const std::filesystem::path dir(outDir);

    ReportFiles files;
    QMap<QString, QImage> charts = recallCharts;
    QMap<QString, QByteArray> pngs;
    for (RetrievalDirection d : kRetrievalDirections) {
        if (!charts.contains(chartFileName(ChartKind::Recall, d)))
            throw Error("the report needs both recall charts (renderReportRecallCharts)");
        charts[chartFileName(ChartKind::Matrix, d)] = renderCompatibilityMatrix(results, d, kChartSize);
        if (!results.backfillCurve.empty() && !charts.contains(chartFileName(ChartKind::BackfillCurve, d)))
            throw Error("the report needs both backfill curve charts (renderReportRecallCharts)");
    }
    for (auto it = charts.begin(); it != charts.end(); ++it) {
        pngs[it.key()] = pngBytes(it.value());
        const std::string path = (dir / it.key().toStdString()).string();
        writeFileAtomic(path, bytesOf(pngs[it.key()]));
        files.pngs.push_back(path);
    }

    const ReportMedium browser{[&](const QString& name) {
                                   return QStringLiteral("data:image/png;base64,") +
                                          QString::fromLatin1(pngs.value(name).toBase64());
                               },
                               kHtmlChartSize, QStringLiteral("body { max-width: 62em; margin: 1.5em auto; }\n")};
    files.html = (dir / "report.html").string();
    writeFileAtomic(files.html, reportHtml(results, browser).toStdString());

    // The PDF's page margins are its root frame's (see pdfBytes).
    const ReportMedium pdf{[](const QString& name) { return name; }, kPdfChartSize, QString()};
    files.pdf = (dir / "report.pdf").string();
    writeFileAtomic(files.pdf, bytesOf(pdfBytes(reportHtml(results, pdf), charts)));
    return files;
}

ReportFiles writeEvaluationReport(const EvaluationOutcome& results, const std::string& outDir)
{
    return writeEvaluationReport(results, renderReportRecallCharts(results), outDir);
}

}  // namespace xbt

#include "ui/charts/ReportHtml.h"

#include "ui/charts/ReportFormat.h"
#include "ui/charts/ReportHeadline.h"

#include <QStringList>

#include <set>

namespace xbt::charts {

namespace {

// Only the subset of HTML and CSS that both browsers and QTextDocument (the
// PDF) understand: tables with cellpadding, class selectors, bgcolor.
// QTextDocument applies line-height to an image's line too: chart paragraphs
// reset it, or each chart takes a third more height than it shows.
const char* kStyle = R"(
body { font-family: 'DejaVu Sans', Arial, sans-serif; color: #222; line-height: 1.35; }
h1 { font-size: 18pt; margin-bottom: 4pt; }
h2 { font-size: 14pt; margin-top: 16pt; margin-bottom: 4pt; color: #1f4e79; }
h3 { font-size: 11pt; margin-top: 10pt; margin-bottom: 2pt; }
p.headline { font-size: 13pt; font-weight: bold; background-color: #eef4fb; padding: 8pt; }
p.verdict { font-size: 11pt; background-color: #eef4fb; padding: 8pt; margin-top: 0; }
p.small, span.small { font-size: 8.5pt; color: #555; }
table { border-collapse: collapse; margin-top: 4pt; margin-bottom: 8pt; }
th, td { border: 1px solid #aaa; padding: 3px 6px; font-size: 9pt; }
th { background-color: #e8e8e8; }
td.num { text-align: right; }
span.ci { font-size: 7.5pt; color: #666; }
td.nc { color: #666; font-style: italic; }
td.pass { background-color: #d4edda; }
td.noise { background-color: #fff3cd; }
td.fail { background-color: #f8d7da; }
code { font-family: 'DejaVu Sans Mono', monospace; font-size: 8.5pt; }
img { max-width: 100%; height: auto; }
p.chart { line-height: 100%; }
)";

const Direction kDirections[] = {Direction::TextToImage, Direction::ImageToText};

QString esc(const std::string& s)
{
    QString out;
    for (const QChar c : QString::fromStdString(s)) {
        if (c == QLatin1Char('&'))
            out += QStringLiteral("&amp;");
        else if (c == QLatin1Char('<'))
            out += QStringLiteral("&lt;");
        else if (c == QLatin1Char('"'))
            out += QStringLiteral("&quot;");
        else
            out += c;
    }
    return out;
}

QString esc(const QString& s) { return esc(s.toStdString()); }

// A configuration name for a narrow column header: it may wrap after "->"
// (and nowhere else, so "new->new" never splits as "new-" / ">new").
QString breakableName(const std::string& name)
{
    return esc(name).replace(QStringLiteral("->"), QStringLiteral("\u2011>\u200B"));
}

QString tableOpen()
{
    return QStringLiteral("<table width=\"100%\" border=\"1\" cellspacing=\"0\" cellpadding=\"3\">\n");
}

// "52.3" with its confidence interval below it, when there is one.
QString recallCell(const DirectionRecall& r, size_t i)
{
    QString cell = QStringLiteral("<td class=\"num\" align=\"right\">") + percentNumber(r.recall[i]);
    if (r.ci[i])
        cell += QStringLiteral("<br><span class=\"ci\">") + percentNumber(r.ci[i]->low) + QStringLiteral("–") +
                percentNumber(r.ci[i]->high) + QStringLiteral("</span>");
    return cell + QStringLiteral("</td>");
}

std::optional<long long> queriesOf(const EvaluationResults& r, Direction d)
{
    for (const Configuration& c : r.configurations)
        if (c.comparable && c.recall.in(d))
            return c.recall.in(d)->queries;
    return std::nullopt;
}

// "95%": the level of the bootstrap intervals.
QString confidenceText(const EvaluationResults& r)
{
    return QString::number(100.0 * r.bootstrapConfidence.value_or(0.95), 'g', 3) + QLatin1Char('%');
}

bool hasIntervals(const EvaluationResults& r)
{
    for (const Configuration& c : r.configurations)
        for (Direction d : kDirections)
            if (c.recall.in(d) && c.recall.in(d)->ci[0])
                return true;
    return false;
}

QString introSection(const EvaluationResults& r)
{
    QString h = QStringLiteral("<h1>Model upgrade without re-indexing</h1>\n"
                                "<p class=\"small\">Evaluation report: can the new model search the old gallery?</p>\n");
    const QString verdict = reportVerdict(r);
    // The verdict sits in the same shaded box, right under the headline.
    h += QStringLiteral("<p class=\"headline\"") +
         (verdict.isEmpty() ? QString() : QStringLiteral(" style=\"margin-bottom: 0\"")) + QLatin1Char('>') +
         esc(reportHeadline(r)) + QStringLiteral("</p>\n");
    if (!verdict.isEmpty())
        h += QStringLiteral("<p class=\"verdict\">") + esc(verdict) + QStringLiteral("</p>\n");
    h += QStringLiteral(
        "<h2>The question</h2>\n<p>If we query our old gallery with the new model through this adapter, are "
        "results better than today, and how close do they come to a full backfill (re-embedding every gallery "
        "image with the new model)?</p>\n"
        "<p><b>How to read the numbers.</b> R@K (recall at K) is the share of searches whose right answer is "
        "among the first K results: R@1 means the right answer came first. Text → image: a caption is the "
        "query and its photo must be found. Image → text: a photo is the query and one of its own captions "
        "must be found.");
    if (hasIntervals(r))
        h += QStringLiteral(" Each figure comes with a ") + confidenceText(r) +
             QStringLiteral(" confidence interval (small grey numbers): differences smaller than these ranges may "
                            "be chance.");
    return h + QStringLiteral("</p>\n");
}

QString modelsSection(const EvaluationResults& r)
{
    QString h = QStringLiteral("<h2>Models and data</h2>\n") + tableOpen() +
                QStringLiteral("<tr><th>Role</th><th>Model</th><th>Embedding size</th><th>Fingerprint</th>"
                               "<th>Embedding rate</th></tr>\n");
    for (const ModelDescription& m : r.models) {
        const QString role = m.role == "old" ? QStringLiteral("old: today's model, made the gallery")
                                             : QStringLiteral("new: the upgrade");
        h += QStringLiteral("<tr><td>") + role + QStringLiteral("</td><td>") + esc(m.model) +
             QStringLiteral("</td><td class=\"num\" align=\"right\">") +
             (m.dims ? QString::number(*m.dims) : QStringLiteral("?")) + QStringLiteral("</td><td><code>") +
             esc(m.fingerprint.substr(0, 12)) + QStringLiteral("</code></td><td class=\"num\" align=\"right\">") +
             (m.imagesPerSecond ? QString::number(*m.imagesPerSecond, 'f', 1) + QStringLiteral(" images/s")
                                : QStringLiteral("not measured")) +
             QStringLiteral("</td></tr>\n");
    }
    h += QStringLiteral("</table>\n");
    if (!r.adapters.empty()) {
        h += QStringLiteral("<p>Adapters evaluated:</p>\n<ul>\n");
        for (const AdapterDescription& a : r.adapters)
            h += QStringLiteral("<li><b>") + esc(a.name) + QStringLiteral("</b> (method ") + esc(a.method) +
                 QStringLiteral("): ") +
                 (a.kind == "gallery" ? QStringLiteral("transforms the stored old gallery embeddings once")
                                      : QStringLiteral("maps each new-model query into the old space")) +
                 QStringLiteral("</li>\n");
        h += QStringLiteral("</ul>\n");
    }
    QString data = QStringLiteral("<p><b>Data:</b> held-out split <code>") + esc(r.splitFolder) +
                   QStringLiteral("</code>");
    QStringList counts;
    if (r.splitImages)
        counts << countText(*r.splitImages) + QStringLiteral(" images");
    if (r.splitCaptions)
        counts << countText(*r.splitCaptions) + QStringLiteral(" captions");
    if (!counts.isEmpty())
        data += QStringLiteral(": ") + counts.join(QStringLiteral(", "));
    if (!r.categories.empty()) {
        QStringList cats;
        for (const std::string& c : r.categories)
            cats << esc(c);
        data += QStringLiteral("; categories: ") + cats.join(QStringLiteral(", "));
    }
    return h + data + QStringLiteral(".</p>\n");
}

QString resultsSection(const EvaluationResults& r)
{
    QString h = QStringLiteral("<h2 style=\"page-break-before: always\">Results</h2>\n") + tableOpen();
    h += QStringLiteral("<thead><tr><th rowspan=\"2\" width=\"22%\">Configuration</th>");
    for (Direction d : kDirections) {
        const std::optional<long long> q = queriesOf(r, d);
        h += QStringLiteral("<th colspan=\"3\">") + directionTitle(d) +
             (q ? QStringLiteral("<br><span class=\"small\">") + countText(*q) + QStringLiteral(" queries</span>")
                : QString()) +
             QStringLiteral("</th>");
    }
    h += QStringLiteral("</tr>\n<tr>");
    for (size_t d = 0; d < std::size(kDirections); ++d)
        for (int k : kReportedK)
            h += QStringLiteral("<th>R@") + QString::number(k) + QStringLiteral(" (%)</th>");
    h += QStringLiteral("</tr></thead>\n");
    for (const Configuration& c : r.configurations) {
        QString what = esc(roleDescription(c));
        if (c.comparable && c.incompatibleComparison)
            what += QStringLiteral(", incompatible spaces");
        h += QStringLiteral("<tr><td><b>") + esc(c.name) + QStringLiteral("</b><br><span class=\"small\">") + what +
             QStringLiteral("</span></td>");
        if (!c.comparable) {
            // Notes from xbt eval often start with the verdict already.
            const bool saysIt = c.note.rfind("not comparable", 0) == 0;
            h += QStringLiteral("<td class=\"nc\" colspan=\"6\"><i>") +
                 (saysIt ? esc(c.note)
                         : QStringLiteral("not comparable") + (c.note.empty() ? QString() : QStringLiteral(": ") + esc(c.note))) +
                 QStringLiteral("</i></td></tr>\n");
            continue;
        }
        for (Direction d : kDirections)
            for (size_t i = 0; i < kReportedK.size(); ++i)
                h += c.recall.in(d) ? recallCell(*c.recall.in(d), i)
                                    : QStringLiteral("<td class=\"nc\"><i>not measured</i></td>");
        h += QStringLiteral("</tr>\n");
    }
    h += QStringLiteral("</table>\n");
    for (const Configuration& c : r.configurations)
        if (c.comparable && !c.note.empty())
            h += QStringLiteral("<p class=\"small\"><b>") + esc(c.name) + QStringLiteral("</b>: ") + esc(c.note) +
                 QStringLiteral("</p>\n");
    return h;
}

QString criterionCell(const std::string& criterion)
{
    if (criterion.empty())
        return QStringLiteral("<td class=\"nc\"><i>not judged</i></td>");
    const QString cls = criterion == "pass" ? QStringLiteral("pass")
                        : criterion == "fail" ? QStringLiteral("fail")
                                              : QStringLiteral("noise");
    const QString color = criterion == "pass" ? QStringLiteral("#d4edda")
                          : criterion == "fail" ? QStringLiteral("#f8d7da")
                                                : QStringLiteral("#fff3cd");
    return QStringLiteral("<td class=\"") + cls + QStringLiteral("\" bgcolor=\"") + color + QStringLiteral("\">") +
           esc(criterion) + QStringLiteral("</td>");
}

// Without its interval: the criterion column already says whether a
// difference is noise, and one-line rows never split across PDF pages.
QString recallOrDash(const Configuration* c, Direction d, size_t i)
{
    if (!c || !c->comparable || !c->recall.in(d))
        return QStringLiteral("<td class=\"nc\">–</td>");
    return QStringLiteral("<td class=\"num\" align=\"right\">") + percentNumber(c->recall.in(d)->recall[i]) +
           QStringLiteral("</td>");
}

QString compatibilitySection(const EvaluationResults& r)
{
    QString h = QStringLiteral(
        "<h2>Compatibility criterion and gain recovery</h2>\n"
        "<p>An upgrade is <b>compatible</b> when new-model queries through the adapter do better on the old "
        "gallery than today's system, in each search direction and at K = 1, 5 and 10. <i>pass</i>: better "
        "than today; <i>within noise</i>: the difference is too small to tell from chance on this many "
        "queries; <i>fail</i>: not better. <b>Gain recovered</b> (G) is the share of the improvement a full backfill "
        "would bring that the adapter achieves without re-embedding anything: 0% is no better than today, "
        "100% is as good as a full backfill.</p>\n");
    if (r.compatibility.empty())
        return h + QStringLiteral("<p>No adapter was evaluated in this run, so there is no verdict yet.</p>\n");
    const Configuration* today = r.comparableWithRole("today");
    const Configuration* backfill = r.comparableWithRole("backfill");
    for (const CompatibilityResult& compat : r.compatibility) {
        const Configuration* config = r.findConfiguration(compat.configuration);
        h += QStringLiteral("<h3>Adapter '") + esc(compat.adapter) + QStringLiteral("' (") +
             esc(compat.configuration) + QStringLiteral(")</h3>\n") + tableOpen() +
             QStringLiteral("<thead><tr><th>Search</th><th>K</th><th>With adapter (%)</th><th>Today (%)</th>"
                            "<th>Full backfill (%)</th><th>Criterion</th><th>Gain recovered</th></tr></thead>\n");
        for (Direction d : kDirections) {
            const std::optional<CompatibilityVerdict>& v = compat.verdict.in(d);
            if (!v)
                continue;
            for (size_t i = 0; i < kReportedK.size(); ++i) {
                h += QStringLiteral("<tr><td>") + directionTitle(d) + QStringLiteral("</td><td>R@") +
                     QString::number(kReportedK[i]) + QStringLiteral("</td>") + recallOrDash(config, d, i) +
                     recallOrDash(today, d, i) + recallOrDash(backfill, d, i) + criterionCell(v->criterion[i]) +
                     QStringLiteral("<td class=\"num\" align=\"right\">") +
                     (v->gainRecovery[i] ? percentText(*v->gainRecovery[i]) : QStringLiteral("–")) +
                     QStringLiteral("</td></tr>\n");
            }
        }
        h += QStringLiteral("</table>\n");
    }
    return h;
}

QString backfillSection(const EvaluationResults& r)
{
    QString h = QStringLiteral("<h2>Backfill cost avoided</h2>\n");
    if (!r.backfill)
        return h + QStringLiteral("<p>Not measured in this evaluation.</p>\n");
    const BackfillCost& b = *r.backfill;
    QString p = QStringLiteral("<p>Searching the old gallery through an adapter means its ");
    p += b.galleryImages ? countText(*b.galleryImages) + QStringLiteral(" images are") : QStringLiteral("images are");
    p += QStringLiteral(" not re-embedded with the new model.");
    if (b.secondsAvoided) {
        p += QStringLiteral(" Re-embedding them would take <b>") + durationText(*b.secondsAvoided) +
             QStringLiteral("</b>");
        if (b.imagesPerSecond)
            p += QStringLiteral(" at the measured rate of ") + QString::number(*b.imagesPerSecond, 'f', 1) +
                 QStringLiteral(" images/s");
        p += QLatin1Char('.');
    }
    if (!b.note.empty())
        p += QStringLiteral(" Note: ") + esc(b.note) + QLatin1Char('.');
    return h + p + QStringLiteral("</p>\n");
}

QString chartsSection(const ReportMedium& medium)
{
    auto img = [&](ChartKind kind, Direction d) {
        return QStringLiteral("<p class=\"chart\"><img src=\"") + medium.chartSource(chartFileName(kind, d)) + QStringLiteral("\" width=\"") +
               QString::number(medium.chartSize.width()) + QStringLiteral("\" height=\"") +
               QString::number(medium.chartSize.height()) + QStringLiteral("\" alt=\"") + chartFileName(kind, d) +
               QStringLiteral("\"></p>\n");
    };
    QString h = QStringLiteral(
        "<h2 style=\"page-break-before: always\">Recall curves</h2>\n"
        "<p>Each line is one configuration: the higher, the more often the right answer is among the first K "
        "results. Grey is today's system, black a full backfill, colours the adapters, red dashes the new "
        "model used on the old gallery without an adapter. Dots mark K = 1, 5 and 10.</p>\n");
    for (Direction d : kDirections)
        h += img(ChartKind::Recall, d);
    h += QStringLiteral(
        "<h2 style=\"page-break-before: always\">Compatibility matrix</h2>\n"
        "<p>R@1 of every query space (rows: a model, or a model with an adapter) searching every gallery space "
        "(columns). Grey <i>n/c</i> cells cannot be compared: their embeddings live in different spaces.</p>\n");
    for (Direction d : kDirections)
        h += img(ChartKind::Matrix, d);
    return h;
}

QString perCategorySection(const EvaluationResults& r)
{
    std::vector<const Configuration*> shown;
    std::vector<std::string> categories = r.categories;
    std::set<std::string> known(categories.begin(), categories.end());
    for (const Configuration& c : r.configurations) {
        if (!c.comparable || c.perCategory.empty())
            continue;
        shown.push_back(&c);
        for (const auto& entry : c.perCategory)
            if (known.insert(entry.first).second)
                categories.push_back(entry.first);
    }
    if (shown.empty())
        return {};
    QString h = QStringLiteral("<h2 style=\"page-break-before: always\">Per category</h2>\n<p>R@1 (%) by kind of "
                               "caption; an image's category is its captions'.</p>\n");
    for (Direction d : kDirections) {
        h += QStringLiteral("<h3>") + directionTitle(d) + QStringLiteral("</h3>\n") + tableOpen() +
             QStringLiteral("<thead><tr><th width=\"14%\">Category</th><th width=\"10%\">Queries</th>");
        for (const Configuration* c : shown)
            h += QStringLiteral("<th>") + breakableName(c->name) + QStringLiteral("</th>");
        h += QStringLiteral("</tr></thead>\n");
        for (const std::string& cat : categories) {
            QString queries = QStringLiteral("–");
            QString cells;
            for (const Configuration* c : shown) {
                const auto it = c->perCategory.find(cat);
                if (it == c->perCategory.end() || !it->second.in(d)) {
                    cells += QStringLiteral("<td class=\"nc\">–</td>");
                    continue;
                }
                queries = countText(it->second.in(d)->queries);
                cells += recallCell(*it->second.in(d), 0);
            }
            h += QStringLiteral("<tr><td>") + esc(cat) + QStringLiteral("</td><td class=\"num\" align=\"right\">") +
                 queries + QStringLiteral("</td>") + cells + QStringLiteral("</tr>\n");
        }
        h += QStringLiteral("</table>\n");
    }
    return h;
}

QString methodSection(const EvaluationResults& r)
{
    QString h = QStringLiteral("<h2>How these numbers were made</h2>\n<p class=\"small\">");
    if (!r.command.empty())
        h += QStringLiteral("Command: <code>") + esc(r.command) + QStringLiteral("</code>") +
             (r.date.empty() ? QString() : QStringLiteral(" on ") + esc(r.date)) + QStringLiteral(".<br>");
    if (!r.tieRule.empty())
        h += QStringLiteral("Ties: ") + esc(r.tieRule) + QStringLiteral(".<br>");
    if (r.bootstrapSamples)
        h += QStringLiteral("Confidence intervals: ") +
             confidenceText(r) +
             QStringLiteral(" bootstrap over queries, ") + countText(*r.bootstrapSamples) +
             QStringLiteral(" resamples.<br>");
    h += QStringLiteral("Rendered by <code>xbt report</code> from the evaluation's results.json.</p>\n");
    return h;
}

}  // namespace

QString chartFileName(ChartKind kind, Direction direction)
{
    return QLatin1String(kind == ChartKind::Recall ? "recall_" : "matrix_") +
           QLatin1String(direction == Direction::TextToImage ? "t2i" : "i2t") + QStringLiteral(".png");
}

QString reportHtml(const EvaluationResults& results, const ReportMedium& medium)
{
    QString html = QStringLiteral("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
                                  "<title>Model upgrade evaluation</title>\n<style>") +
                   QLatin1String(kStyle) + medium.pageStyle + QStringLiteral("</style>\n</head><body>\n");
    html += introSection(results);
    html += modelsSection(results);
    html += resultsSection(results);
    html += compatibilitySection(results);
    html += backfillSection(results);
    html += chartsSection(medium);
    html += perCategorySection(results);
    html += methodSection(results);
    return html + QStringLiteral("</body></html>\n");
}

}  // namespace xbt::charts

#include "ui/charts/ReportHtml.h"

#include "core/eval/EvaluationFiles.h"
#include "core/eval/UpgradeDecision.h"

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
QString recallCell(const RecallSummary& s, int k, bool withInterval)
{
    QString cell = QStringLiteral("<td class=\"num\" align=\"right\">") + percentNumber(s.recallAt(k));
    if (withInterval)
        cell += QStringLiteral("<br><span class=\"ci\">") + percentNumber(s.intervalAt(k).low) + QStringLiteral("–") +
                percentNumber(s.intervalAt(k).high) + QStringLiteral("</span>");
    return cell + QStringLiteral("</td>");
}

std::optional<int64_t> queriesOf(const EvaluationOutcome& r, RetrievalDirection d)
{
    for (const ConfigurationResult& c : r.configurations)
        if (c.comparable && c.has(d))
            return c.summary(d).queries;
    return std::nullopt;
}

// "95%": the level of the bootstrap intervals.
QString confidenceText(const EvaluationOutcome& r)
{
    return QString::number(100.0 * r.options.bootstrap.confidence, 'g', 3) + QLatin1Char('%');
}

QString introSection(const EvaluationOutcome& r)
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
    if (r.hasIntervals())
        h += QStringLiteral(" Each figure comes with a ") + confidenceText(r) +
             QStringLiteral(" confidence interval (small grey numbers): differences smaller than these ranges may "
                            "be chance.");
    return h + QStringLiteral("</p>\n");
}

QString modelsSection(const EvaluationOutcome& r)
{
    QString h = QStringLiteral("<h2>Models and data</h2>\n") + tableOpen() +
                QStringLiteral("<tr><th>Role</th><th>Model</th><th>Embedding size</th><th>Fingerprint</th>"
                               "<th>Embedding rate</th></tr>\n");
    for (SpaceKind kind : {SpaceKind::Old, SpaceKind::New}) {
        const EmbeddingSpace* m = r.findSpace(kind);
        if (!m)
            continue;
        const int64_t dims = r.spaceDims[static_cast<size_t>(m - r.spaces.data())];
        const QString role = kind == SpaceKind::Old ? QStringLiteral("old: today's model, made the gallery")
                                                    : QStringLiteral("new: the upgrade");
        h += QStringLiteral("<tr><td>") + role + QStringLiteral("</td><td>") + esc(m->model) +
             QStringLiteral("</td><td class=\"num\" align=\"right\">") +
             (dims > 0 ? QString::number(dims) : QStringLiteral("?")) + QStringLiteral("</td><td><code>") +
             esc(m->fingerprint.substr(0, 12)) + QStringLiteral("</code></td><td class=\"num\" align=\"right\">") +
             (m->imagesPerSecond > 0 ? QString::number(m->imagesPerSecond, 'f', 1) + QStringLiteral(" images/s")
                                     : QStringLiteral("not measured")) +
             QStringLiteral("</td></tr>\n");
    }
    h += QStringLiteral("</table>\n");
    QString adapters;
    for (const EmbeddingSpace& a : r.spaces)
        if (a.kind == SpaceKind::QueryAdapter || a.kind == SpaceKind::GalleryTransform)
            adapters += QStringLiteral("<li><b>") + esc(a.adapter) + QStringLiteral("</b> (method ") + esc(a.method) +
                        QStringLiteral("): ") +
                        (a.kind == SpaceKind::GalleryTransform
                             ? QStringLiteral("transforms the stored old gallery embeddings once")
                             : QStringLiteral("maps each new-model query into the old space")) +
                        QStringLiteral("</li>\n");
    if (!adapters.isEmpty())
        h += QStringLiteral("<p>Adapters evaluated:</p>\n<ul>\n") + adapters + QStringLiteral("</ul>\n");
    QString data = QStringLiteral("<p><b>Data:</b> held-out split <code>") + esc(r.splitFolder) +
                   QStringLiteral("</code>");
    // 0: a results.json without the counts.
    QStringList counts;
    if (r.images > 0)
        counts << countText(r.images) + QStringLiteral(" images");
    if (r.captions > 0)
        counts << countText(r.captions) + QStringLiteral(" captions");
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

QString resultsSection(const EvaluationOutcome& r)
{
    QString h = QStringLiteral("<h2 style=\"page-break-before: always\">Results</h2>\n") + tableOpen();
    h += QStringLiteral("<thead><tr><th rowspan=\"2\" width=\"22%\">Configuration</th>");
    for (RetrievalDirection d : kRetrievalDirections) {
        const std::optional<int64_t> q = queriesOf(r, d);
        h += QStringLiteral("<th colspan=\"3\">") + directionTitle(d) +
             (q ? QStringLiteral("<br><span class=\"small\">") + countText(*q) + QStringLiteral(" queries</span>")
                : QString()) +
             QStringLiteral("</th>");
    }
    h += QStringLiteral("</tr>\n<tr>");
    for (size_t d = 0; d < std::size(kRetrievalDirections); ++d)
        for (int k : kReportedK)
            h += QStringLiteral("<th>R@") + QString::number(k) + QStringLiteral(" (%)</th>");
    h += QStringLiteral("</tr></thead>\n");
    for (const ConfigurationResult& c : r.configurations) {
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
        for (RetrievalDirection d : kRetrievalDirections)
            for (int k : kReportedK)
                h += c.has(d) ? recallCell(c.summary(d), k, r.hasIntervals())
                              : QStringLiteral("<td class=\"nc\"><i>not measured</i></td>");
        h += QStringLiteral("</tr>\n");
    }
    h += QStringLiteral("</table>\n");
    for (const ConfigurationResult& c : r.configurations)
        if (c.comparable && !c.note.empty())
            h += QStringLiteral("<p class=\"small\"><b>") + esc(c.name) + QStringLiteral("</b>: ") + esc(c.note) +
                 QStringLiteral("</p>\n");
    return h;
}

QString criterionCell(CriterionVerdict verdict)
{
    const QString cls = verdict == CriterionVerdict::Pass   ? QStringLiteral("pass")
                        : verdict == CriterionVerdict::Fail ? QStringLiteral("fail")
                                                            : QStringLiteral("noise");
    const QString color = verdict == CriterionVerdict::Pass   ? QStringLiteral("#d4edda")
                          : verdict == CriterionVerdict::Fail ? QStringLiteral("#f8d7da")
                                                              : QStringLiteral("#fff3cd");
    return QStringLiteral("<td class=\"") + cls + QStringLiteral("\" bgcolor=\"") + color + QStringLiteral("\">") +
           QString::fromLatin1(verdictName(verdict)) + QStringLiteral("</td>");
}

// Without its interval: the criterion column already says whether a
// difference is noise, and one-line rows never split across PDF pages.
QString recallOrDash(const ConfigurationResult* c, RetrievalDirection d, int k)
{
    if (!c || !c->comparable || !c->has(d))
        return QStringLiteral("<td class=\"nc\">–</td>");
    return QStringLiteral("<td class=\"num\" align=\"right\">") + percentNumber(c->summary(d).recallAt(k)) +
           QStringLiteral("</td>");
}

QString compatibilitySection(const EvaluationOutcome& r)
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
    const ConfigurationResult* today = r.find(ConfigurationRole::Today);
    const ConfigurationResult* backfill = r.find(ConfigurationRole::Backfill);
    for (const CompatibilityEntry& compat : r.compatibility) {
        const ConfigurationResult* config = r.findConfiguration(compat.configuration);
        h += QStringLiteral("<h3>Adapter '") + esc(compat.adapter) + QStringLiteral("' (") +
             esc(compat.configuration) + QStringLiteral(")</h3>\n") + tableOpen() +
             QStringLiteral("<thead><tr><th>Search</th><th>K</th><th>With adapter (%)</th><th>Today (%)</th>"
                            "<th>Full backfill (%)</th><th>Criterion</th><th>Gain recovered</th></tr></thead>\n");
        for (RetrievalDirection d : kRetrievalDirections) {
            const CompatibilityDirection& v = compat.in(d);
            if (!v.available)
                continue;
            for (int k : kReportedK) {
                h += QStringLiteral("<tr><td>") + directionTitle(d) + QStringLiteral("</td><td>R@") +
                     QString::number(k) + QStringLiteral("</td>") + recallOrDash(config, d, k) +
                     recallOrDash(today, d, k) + recallOrDash(backfill, d, k) + criterionCell(v.verdictAt(k)) +
                     QStringLiteral("<td class=\"num\" align=\"right\">") +
                     (v.gainAt(k) ? percentText(*v.gainAt(k)) : QStringLiteral("–")) + QStringLiteral("</td></tr>\n");
            }
        }
        h += QStringLiteral("</table>\n");
    }
    return h;
}

// Regressions a user notices, and which adapter to deploy.
QString flipsAndRecommendationSection(const EvaluationOutcome& r)
{
    QString h;
    // With the ceiling: the most R@1 any query can reach against the old gallery.
    if (const std::string ties = tieBoundMarkdown(r); !ties.empty())
        h += QStringLiteral("<h2>What the old gallery cannot tell apart</h2>\n<p>") +
             esc(plainText(ties)) + QStringLiteral("</p>\n");
    QString rows;
    for (const ConfigurationResult& c : r.configurations) {
        if (!c.comparable || c.role == ConfigurationRole::Today ||
            (!c.negativeFlips.textToImage && !c.negativeFlips.imageToText))
            continue;
        rows += QStringLiteral("<tr><td>") + breakableName(c.name) + QStringLiteral("</td>");
        for (RetrievalDirection d : kRetrievalDirections)
            for (int k : kFlipK) {
                const std::optional<DirectionFlips>& f = c.negativeFlips.in(d);
                rows += QStringLiteral("<td class=\"num\" align=\"right\">") +
                        (f ? percentText(f->at(k)) : QStringLiteral("–")) + QStringLiteral("</td>");
            }
        rows += QStringLiteral("</tr>\n");
    }
    if (!rows.isEmpty())
        h += QStringLiteral("<h2>Negative flips</h2>\n<p>Queries today's system answers right (within K) that the "
                            "configuration answers wrong, as a share of all queries: the regressions users notice "
                            "after an upgrade. Lower is better.</p>\n") +
             tableOpen() +
             QStringLiteral("<thead><tr><th>Configuration</th><th>Text → image @1</th><th>@10</th>"
                            "<th>Image → text @1</th><th>@10</th></tr></thead>\n") +
             rows + QStringLiteral("</table>\n");
    if (r.recommendation.decided)
        h += QStringLiteral("<h2>Recommendation</h2>\n<p><b>") + esc(r.recommendation.reason) +
             QStringLiteral(".</b> Decided on each adapter's validation split, never on the split above.</p>\n");
    return h;
}

// How much of the new model's gain for how many re-embedded images
// (xbt eval --rerank / --backfill-curve): the decision table and the curve.
QString chartImage(const ReportMedium& medium, ChartKind kind, RetrievalDirection d)
{
    return QStringLiteral("<p class=\"chart\"><img src=\"") + medium.chartSource(chartFileName(kind, d)) +
           QStringLiteral("\" width=\"") + QString::number(medium.chartSize.width()) + QStringLiteral("\" height=\"") +
           QString::number(medium.chartSize.height()) + QStringLiteral("\" alt=\"") + chartFileName(kind, d) +
           QStringLiteral("\"></p>\n");
}

QString upgradePathsSection(const EvaluationOutcome& r, const ReportMedium& medium)
{
    const std::vector<UpgradePathRow> rows = upgradePathRows(r);
    if (rows.empty())
        return {};
    QString h = QStringLiteral(
        "<h2>Upgrade paths</h2>\n<p>Between \"adapter only\" and \"re-embed everything\": re-ranking an "
        "adapter's top K with the new model (those K images re-embedded per query, kept for reuse), and "
        "re-embedding part of the gallery. Times are at the new model's measured embedding rate; \"10M\" is "
        "the same share of a 10-million-image gallery.</p>\n") +
                tableOpen() +
                QStringLiteral("<thead><tr><th>Path</th><th>Text → image R@1 (%)</th><th>Image → text R@1 (%)</th>");
    for (const std::string& header : upgradePathTextHeaders())
        h += QStringLiteral("<th>") + esc(header) + QStringLiteral("</th>");
    h += QStringLiteral("</tr></thead>\n");
    const auto cell = [](const QString& text) {
        return QStringLiteral("<td class=\"num\" align=\"right\">") + text + QStringLiteral("</td>");
    };
    for (const UpgradePathRow& row : rows) {
        QString path = esc(row.path);
        path.remove(QLatin1Char('`'));
        h += QStringLiteral("<tr><td>") + path + QStringLiteral("</td>") + cell(percentNumber(row.t2iR1)) +
             cell(percentNumber(row.i2tR1));
        for (const std::string& text : upgradePathTextCells(row))
            h += cell(esc(text));
        h += QStringLiteral("</tr>\n");
    }
    h += QStringLiteral("</table>\n");
    const BackfillCurve& c = r.backfillCurve;
    if (c.empty())
        return h;
    h += QStringLiteral("<h3>Backfill curve</h3>\n<p>R@1 (%) text → image / image → text with a share of the "
                        "gallery re-embedded; the rest is searched through adapter '") +
         esc(c.adapter) +
         QStringLiteral("'. <i>raw</i>: the two kinds of score compared as they are; <i>calibrated</i>: the new "
                        "space's score rescaled and shifted to the mixing that searched the validation split best.</p>\n") +
         tableOpen() + QStringLiteral("<thead><tr><th>Order</th><th>Mix</th>");
    for (const BackfillPoint& p : c.series.front().points)
        h += QStringLiteral("<th>") + QString::number(100.0 * p.fraction, 'f', 0) + QStringLiteral("%</th>");
    h += QStringLiteral("</tr></thead>\n");
    for (const BackfillSeries& series : c.series) {
        h += QStringLiteral("<tr><td>") + esc(series.order) + QStringLiteral("</td><td>") + esc(series.mix) +
             QStringLiteral("</td>");
        for (const BackfillPoint& p : series.points)
            h += cell(percentNumber(p.textToImage.r1) + QStringLiteral(" / ") + percentNumber(p.imageToText.r1));
        h += QStringLiteral("</tr>\n");
    }
    h += QStringLiteral("</table>\n");
    for (RetrievalDirection d : kRetrievalDirections)
        h += chartImage(medium, ChartKind::BackfillCurve, d);
    return h;
}

QString backfillSection(const EvaluationOutcome& r)
{
    QString h = QStringLiteral("<h2>Backfill cost avoided</h2>\n");
    const BackfillEstimate& b = r.backfill;
    if (b.galleryImages <= 0)
        return h + QStringLiteral("<p>Not measured in this evaluation.</p>\n");
    QString p = QStringLiteral("<p>Searching the old gallery through an adapter means its ") +
                countText(b.galleryImages) + QStringLiteral(" images are not re-embedded with the new model.");
    if (b.imagesPerSecond > 0)
        p += QStringLiteral(" Re-embedding them would take <b>") + durationText(b.seconds) +
             QStringLiteral("</b> at the measured rate of ") + QString::number(b.imagesPerSecond, 'f', 1) +
             QStringLiteral(" images/s.");
    if (!b.note.empty())
        p += QStringLiteral(" Note: ") + esc(b.note) + QLatin1Char('.');
    return h + p + QStringLiteral("</p>\n");
}

QString chartsSection(const ReportMedium& medium)
{
    auto img = [&](ChartKind kind, RetrievalDirection d) { return chartImage(medium, kind, d); };
    QString h = QStringLiteral(
        "<h2 style=\"page-break-before: always\">Recall curves</h2>\n"
        "<p>Each line is one configuration: the higher, the more often the right answer is among the first K "
        "results. Grey is today's system, black a full backfill, colours the adapters, red dashes the new "
        "model used on the old gallery without an adapter. Dots mark K = 1, 5 and 10.</p>\n");
    for (RetrievalDirection d : kRetrievalDirections)
        h += img(ChartKind::Recall, d);
    h += QStringLiteral(
        "<h2 style=\"page-break-before: always\">Compatibility matrix</h2>\n"
        "<p>R@1 of every query space (rows: a model, or a model with an adapter) searching every gallery space "
        "(columns). Grey <i>n/c</i> cells cannot be compared: their embeddings live in different spaces.</p>\n");
    for (RetrievalDirection d : kRetrievalDirections)
        h += img(ChartKind::Matrix, d);
    return h;
}

QString perCategorySection(const EvaluationOutcome& r)
{
    std::vector<const ConfigurationResult*> shown;
    std::vector<std::string> categories = r.categories;
    std::set<std::string> known(categories.begin(), categories.end());
    for (const ConfigurationResult& c : r.configurations) {
        if (!c.comparable || (c.textToImageByCategory.empty() && c.imageToTextByCategory.empty()))
            continue;
        shown.push_back(&c);
        for (RetrievalDirection d : kRetrievalDirections)
            for (const auto& entry : c.byCategory(d))
                if (known.insert(entry.first).second)
                    categories.push_back(entry.first);
    }
    if (shown.empty())
        return {};
    QString h = QStringLiteral("<h2 style=\"page-break-before: always\">Per category</h2>\n<p>R@1 (%) by kind of "
                               "caption; an image's category is its captions'.</p>\n");
    for (RetrievalDirection d : kRetrievalDirections) {
        h += QStringLiteral("<h3>") + directionTitle(d) + QStringLiteral("</h3>\n") + tableOpen() +
             QStringLiteral("<thead><tr><th width=\"14%\">Category</th><th width=\"10%\">Queries</th>");
        for (const ConfigurationResult* c : shown)
            h += QStringLiteral("<th>") + breakableName(c->name) + QStringLiteral("</th>");
        h += QStringLiteral("</tr></thead>\n");
        for (const std::string& cat : categories) {
            QString queries = QStringLiteral("–");
            QString cells;
            for (const ConfigurationResult* c : shown) {
                const auto it = c->byCategory(d).find(cat);
                if (it == c->byCategory(d).end()) {
                    cells += QStringLiteral("<td class=\"nc\">–</td>");
                    continue;
                }
                queries = countText(it->second.queries);
                cells += recallCell(it->second, 1, r.hasIntervals());
            }
            h += QStringLiteral("<tr><td>") + esc(cat) + QStringLiteral("</td><td class=\"num\" align=\"right\">") +
                 queries + QStringLiteral("</td>") + cells + QStringLiteral("</tr>\n");
        }
        h += QStringLiteral("</table>\n");
    }
    return h;
}

QString methodSection(const EvaluationOutcome& r)
{
    QString h = QStringLiteral("<h2>How these numbers were made</h2>\n<p class=\"small\">");
    if (!r.command.empty())
        h += QStringLiteral("Command: <code>") + esc(r.command) + QStringLiteral("</code>") +
             (r.date.empty() ? QString() : QStringLiteral(" on ") + esc(r.date)) + QStringLiteral(".<br>");
    if (!r.tieRule.empty())
        h += QStringLiteral("Ties: ") + esc(r.tieRule) + QStringLiteral(".<br>");
    if (r.hasIntervals())
        h += QStringLiteral("Confidence intervals: ") + confidenceText(r) +
             QStringLiteral(" bootstrap over queries, ") + countText(r.options.bootstrap.samples) +
             QStringLiteral(" resamples.<br>");
    h += QStringLiteral("Rendered by <code>xbt report</code> from the evaluation's results.json.</p>\n");
    return h;
}

}  // namespace

QString chartFileName(ChartKind kind, RetrievalDirection direction)
{
    return QLatin1String(kind == ChartKind::Recall   ? "recall_"
                         : kind == ChartKind::Matrix ? "matrix_"
                                                     : "backfill_") +
           QLatin1String(direction == RetrievalDirection::TextToImage ? "t2i" : "i2t") + QStringLiteral(".png");
}

QString reportHtml(const EvaluationOutcome& results, const ReportMedium& medium)
{
    QString html = QStringLiteral("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
                                  "<title>Model upgrade evaluation</title>\n<style>") +
                   QLatin1String(kStyle) + medium.pageStyle + QStringLiteral("</style>\n</head><body>\n");
    html += introSection(results);
    html += modelsSection(results);
    html += resultsSection(results);
    html += compatibilitySection(results);
    html += flipsAndRecommendationSection(results);
    html += upgradePathsSection(results, medium);
    html += backfillSection(results);
    html += chartsSection(medium);
    html += perCategorySection(results);
    html += methodSection(results);
    return html + QStringLiteral("</body></html>\n");
}

}  // namespace xbt::charts

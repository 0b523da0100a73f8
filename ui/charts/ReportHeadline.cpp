#include "ui/charts/ReportHeadline.h"

#include "ui/charts/ReportFormat.h"

#include <QStringList>

namespace xbt::charts {

namespace {

std::optional<double> r1(const ConfigurationResult* c, RetrievalDirection d)
{
    if (!c || !c->comparable || !c->has(d))
        return std::nullopt;
    return c->summary(d).r1;
}

// "52.3% of the time, vs 43.6% today (full backfill: 68.5%)"
QString comparedToReferences(double value, std::optional<double> today, std::optional<double> backfill)
{
    QString s = percentText(value) + QStringLiteral(" of the time");
    if (today)
        s += QStringLiteral(", vs ") + percentText(*today) + QStringLiteral(" today");
    if (backfill)
        s += QStringLiteral(" (full backfill: ") + percentText(*backfill) + QLatin1Char(')');
    return s + QLatin1Char('.');
}

const CompatibilityEntry* compatibilityOf(const EvaluationOutcome& results, const ConfigurationResult& c)
{
    for (const CompatibilityEntry& r : results.compatibility)
        if (r.configuration == c.name || (r.configuration.empty() && r.adapter == c.adapter))
            return &r;
    return nullptr;
}

// "It passes the compatibility criterion ..." from the per-K verdicts.
QString criterionSentence(const CompatibilityEntry& compat)
{
    QStringList failed, noise;
    int judged = 0;
    for (RetrievalDirection d : kRetrievalDirections) {
        const CompatibilityDirection& v = compat.in(d);
        if (!v.available)
            continue;
        for (int k : kReportedK) {
            const QString where = directionTitle(d).toLower() + QStringLiteral(" R@") + QString::number(k);
            ++judged;
            if (v.verdictAt(k) == CriterionVerdict::Fail)
                failed << where;
            else if (v.verdictAt(k) == CriterionVerdict::WithinNoise)
                noise << where;
        }
    }
    if (judged == 0)
        return {};
    const QString noiseClause = noise.isEmpty() ? QString()
                                                : QStringLiteral(" at ") + noise.join(QStringLiteral(", ")) +
                                                      QStringLiteral(" the difference is within noise");
    if (!failed.isEmpty())
        return QStringLiteral("It fails the compatibility criterion (better than today) at ") +
               failed.join(QStringLiteral(", ")) + (noiseClause.isEmpty() ? QString() : QLatin1Char(';') + noiseClause) +
               QLatin1Char('.');
    if (!noise.isEmpty())
        return QStringLiteral("It is better than today everywhere except that") + noiseClause + QLatin1Char('.');
    return QStringLiteral("It is better than today (meets the compatibility criterion) in both search directions "
                          "at K = 1, 5 and 10.");
}

QString gainSentence(const CompatibilityEntry& compat)
{
    QStringList parts;
    for (RetrievalDirection d : kRetrievalDirections) {
        const CompatibilityDirection& v = compat.in(d);
        if (v.available && v.g1)
            parts << percentText(*v.g1) + QStringLiteral(" (") + directionTitle(d).toLower() + QLatin1Char(')');
    }
    if (parts.isEmpty())
        return {};
    return QStringLiteral("It recovers ") + parts.join(QStringLiteral(" and ")) +
           QStringLiteral(" of the R@1 gain a full backfill would bring, without re-embedding the gallery.");
}

}  // namespace

const ConfigurationResult* headlineConfiguration(const EvaluationOutcome& results)
{
    for (ConfigurationRole role :
         {ConfigurationRole::Adapter, ConfigurationRole::GalleryTransform, ConfigurationRole::Compatible}) {
        const ConfigurationResult* best = nullptr;
        for (const ConfigurationResult& c : results.configurations) {
            if (c.role != role || !c.comparable)
                continue;
            const double score = r1(&c, RetrievalDirection::TextToImage)
                                     .value_or(r1(&c, RetrievalDirection::ImageToText).value_or(-1));
            const double bestScore = best ? r1(best, RetrievalDirection::TextToImage)
                                                .value_or(r1(best, RetrievalDirection::ImageToText).value_or(-1))
                                          : -2;
            if (score > bestScore)
                best = &c;
        }
        if (best)
            return best;
    }
    return nullptr;
}

QString reportHeadline(const EvaluationOutcome& results)
{
    const ConfigurationResult* today = results.find(ConfigurationRole::Today);
    const ConfigurationResult* backfill = results.find(ConfigurationRole::Backfill);
    const ConfigurationResult* adapter = headlineConfiguration(results);
    QStringList sentences;
    if (adapter) {
        const QString gallery = adapter->role == ConfigurationRole::GalleryTransform
                                    ? QStringLiteral("the transformed old gallery")
                                    : QStringLiteral("the old gallery");
        const QString who = QStringLiteral("With ") + QString::fromStdString(roleDescription(*adapter)) +
                            QStringLiteral(", new-model ");
        bool first = true;
        if (const std::optional<double> v = r1(adapter, RetrievalDirection::TextToImage)) {
            sentences << who + QStringLiteral("text queries on ") + gallery +
                             QStringLiteral(" find the right image first ") +
                             comparedToReferences(*v, r1(today, RetrievalDirection::TextToImage),
                                                  r1(backfill, RetrievalDirection::TextToImage));
            first = false;
        }
        if (const std::optional<double> v = r1(adapter, RetrievalDirection::ImageToText))
            sentences << (first ? who + QStringLiteral("image queries on ") + gallery
                                : QStringLiteral("Image queries")) +
                             QStringLiteral(" find one of their own captions first ") +
                             comparedToReferences(*v, r1(today, RetrievalDirection::ImageToText),
                                                  r1(backfill, RetrievalDirection::ImageToText));
        return sentences.join(QLatin1Char(' '));
    }
    sentences << QStringLiteral("No adapter was evaluated in this run.");
    const std::optional<double> todayR1 = r1(today, RetrievalDirection::TextToImage);
    const std::optional<double> backfillR1 = r1(backfill, RetrievalDirection::TextToImage);
    if (todayR1 && backfillR1)
        sentences << QStringLiteral("Today, text queries find the right image first ") + percentText(*todayR1) +
                         QStringLiteral(" of the time; after a full backfill with the new model they would ") +
                         percentText(*backfillR1) + QStringLiteral(" of the time.");
    const ConfigurationResult* raw = nullptr;
    for (const ConfigurationResult& c : results.configurations)
        if (c.role == ConfigurationRole::Raw && !raw)
            raw = &c;
    if (raw && !raw->comparable)
        sentences << QStringLiteral("Without an adapter the new model cannot search the old gallery at all.");
    else if (const std::optional<double> rawR1 = r1(raw, RetrievalDirection::TextToImage))
        sentences << QStringLiteral("Without an adapter, new-model text queries on the old gallery find the right "
                                    "image first only ") +
                         percentText(*rawR1) + QStringLiteral(" of the time.");
    return sentences.join(QLatin1Char(' '));
}

QString reportVerdict(const EvaluationOutcome& results)
{
    const ConfigurationResult* adapter = headlineConfiguration(results);
    const CompatibilityEntry* compat = adapter ? compatibilityOf(results, *adapter) : nullptr;
    if (!compat)
        return {};
    QStringList sentences = {criterionSentence(*compat), gainSentence(*compat)};
    sentences.removeAll(QString());
    return sentences.join(QLatin1Char(' '));
}

}  // namespace xbt::charts

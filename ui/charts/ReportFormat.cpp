#include "ui/charts/ReportFormat.h"

#include <algorithm>
#include <cmath>

namespace xbt::charts {

QString percentNumber(double fraction) { return QString::number(100.0 * fraction, 'f', 1); }

QString percentText(double fraction) { return percentNumber(fraction) + QLatin1Char('%'); }

QString countText(long long n)
{
    QString digits = QString::number(n < 0 ? -n : n);
    for (int i = digits.size() - 3; i > 0; i -= 3)
        digits.insert(i, QLatin1Char(','));
    return n < 0 ? QLatin1Char('-') + digits : digits;
}

QString plainText(const std::string& markdown)
{
    return QString::fromStdString(markdown).remove(QLatin1Char('`')).trimmed();
}

QString durationText(double seconds)
{
    struct Unit {
        double seconds;
        const char* name;
    };
    static const Unit units[] = {{86400.0, "days"}, {3600.0, "h"}, {60.0, "min"}};
    for (const Unit& u : units)
        if (seconds >= 1.5 * u.seconds)
            return QString::number(seconds / u.seconds, 'f', 1) + QLatin1Char(' ') + QLatin1String(u.name);
    return QString::number(seconds, 'f', 1) + QStringLiteral(" s");
}

QString directionTitle(RetrievalDirection d)
{
    return d == RetrievalDirection::TextToImage ? QStringLiteral("Text → image") : QStringLiteral("Image → text");
}

QFont pixelFont(double pixels, bool bold)
{
    QFont f;
    f.setPixelSize(std::max(8, static_cast<int>(std::lround(pixels))));
    f.setBold(bold);
    return f;
}

}  // namespace xbt::charts

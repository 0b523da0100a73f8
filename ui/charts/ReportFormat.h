#pragma once
// How numbers and labels read in charts and the report: one place, so that a
// figure looks the same in a table, a cell of the heat map and the headline.

#include "core/eval/RetrievalRecall.h"

#include <QFont>
#include <QString>

#include <string>

namespace xbt::charts {

// 0.5234 -> "52.3" (fractions shown as percentages with one decimal).
QString percentNumber(double fraction);
// 0.5234 -> "52.3%".
QString percentText(double fraction);
// 1234567 -> "1,234,567".
QString countText(long long n);
// Seconds as the largest sensible unit: "8.3 s", "2.5 min", "23.1 h", "3.2 days".
QString durationText(double seconds);
// A line of results.md shown as plain text: markdown's code quotes dropped, trimmed.
QString plainText(const std::string& markdown);
// "Text → image" / "Image → text".
QString directionTitle(RetrievalDirection d);
// Charts size their text in pixels of the image, so that it scales with the
// image and not with a screen's DPI (there may be no screen).
QFont pixelFont(double pixels, bool bold = false);

}  // namespace xbt::charts

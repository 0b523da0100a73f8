#pragma once
// Scales a font whether its size was set in points or pixels (demo mode
// sizes its type in pixels from the window height; pointSizeF() is then -1).

#include <QFont>

#include <algorithm>
#include <cmath>

namespace xbt::ui {

inline QFont scaledFont(QFont font, double factor)
{
    if (font.pixelSize() > 0)
        font.setPixelSize(std::max(1, static_cast<int>(std::lround(font.pixelSize() * factor))));
    else if (font.pointSizeF() > 0)
        font.setPointSizeF(font.pointSizeF() * factor);
    return font;
}

}  // namespace xbt::ui

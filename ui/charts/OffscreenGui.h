#pragma once
// Charts are QGraphicsWidgets and need a QApplication even when nothing is
// shown. The CLI has none, and often runs without a display.

namespace xbt {

// Creates a QApplication unless one exists. Without DISPLAY or
// WAYLAND_DISPLAY, and with QT_QPA_PLATFORM unset, it picks the offscreen
// platform so that it works in a terminal, over ssh and in CI. Throws
// xbt::Error when a non-GUI QCoreApplication already runs.
void ensureGuiApplication();

}  // namespace xbt

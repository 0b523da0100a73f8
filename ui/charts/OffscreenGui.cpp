#include "ui/charts/OffscreenGui.h"

#include "core/util/Error.h"

#include <QApplication>
#include <QDir>
#include <QFile>

#include <unistd.h>

namespace xbt {

void ensureGuiApplication()
{
    if (QCoreApplication* app = QCoreApplication::instance()) {
        if (!qobject_cast<QApplication*>(app))
            throw Error("rendering charts needs a QApplication, but this program created a QCoreApplication");
        return;
    }
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
        qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // Headless runs (CI, cron, root shells) often lack XDG_RUNTIME_DIR; Qt
    // then warns on every start. Give it a private folder instead.
    if (qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {
        const QString dir = QDir::tempPath() + "/xbt-runtime-" + QString::number(getuid());
        if (QDir().mkpath(dir) &&
            QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner))
            qputenv("XDG_RUNTIME_DIR", dir.toLocal8Bit());
    }
    // QApplication keeps references to argc and argv for its whole life.
    static int argc = 1;
    static char name[] = "xbt";
    static char* argv[] = {name, nullptr};
    // Never destroyed: it lives until the process exits, like a main()'s
    // application would, and destroying it during static teardown is unsafe.
    new QApplication(argc, argv);
}

}  // namespace xbt

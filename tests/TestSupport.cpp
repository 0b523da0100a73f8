#include "tests/TestSupport.h"

#include "core/util/FileUtil.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>

namespace xbt::test {

QString sharedDir() { return QString::fromUtf8(qEnvironmentVariableIsSet("XBT_SHARED_DIR") ? qgetenv("XBT_SHARED_DIR") : QByteArray(XBT_SHARED_DIR)); }
QString fixtureDir() { return QStringLiteral(XBT_FIXTURE_DIR); }
QString sourceDir() { return QStringLiteral(XBT_SOURCE_DIR); }
QString cliPath() { return QStringLiteral(XBT_CLI_PATH); }

CliResult runCli(const QStringList& args, const QByteArray& input, int timeoutMs, const QString& workingDir)
{
    QProcess p;
    if (!workingDir.isEmpty())
        p.setWorkingDirectory(workingDir);
    p.start(cliPath(), args);
    CliResult r;
    if (!p.waitForStarted(10000))
        return r;
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

std::string writeTestFile(const QTemporaryDir& dir, const QString& name, const std::string& content)
{
    const QString path = dir.filePath(name);
    QDir().mkpath(QFileInfo(path).path());
    xbt::writeFileAtomic(path.toStdString(), content);
    return path.toStdString();
}

}  // namespace xbt::test

#include "tests/TestSupport.h"

#include "core/util/FileUtil.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace xbt::test {

QString sharedDir() { return QString::fromUtf8(qEnvironmentVariableIsSet("XBT_SHARED_DIR") ? qgetenv("XBT_SHARED_DIR") : QByteArray(XBT_SHARED_DIR)); }
QString fixtureDir() { return QStringLiteral(XBT_FIXTURE_DIR); }
QString sourceDir() { return QStringLiteral(XBT_SOURCE_DIR); }
// XBT_CLI overrides the built CLI, e.g. to show that a CLI test fails
// against an older build.
QString cliPath() { return qEnvironmentVariableIsSet("XBT_CLI") ? qEnvironmentVariable("XBT_CLI") : QStringLiteral(XBT_CLI_PATH); }

namespace {

CliResult runProgram(const QString& program, const QStringList& args, const QByteArray& input, int timeoutMs,
                     const QString& workingDir)
{
    QProcess p;
    if (!workingDir.isEmpty())
        p.setWorkingDirectory(workingDir);
    p.start(program, args);
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

bool setEffectiveDacCapabilities(bool raised)
{
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (::syscall(SYS_capget, &header, data) != 0)
        return false;
    const uint32_t dac = (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH);
    if (raised)
        data[0].effective |= dac & data[0].permitted;
    else
        data[0].effective &= ~dac;
    return ::syscall(SYS_capset, &header, data) == 0;
}

}  // namespace

CliResult runCli(const QStringList& args, const QByteArray& input, int timeoutMs, const QString& workingDir)
{
    return runProgram(cliPath(), args, input, timeoutMs, workingDir);
}

CliResult runCliWithPermissions(const QStringList& args, int timeoutMs)
{
    if (::geteuid() != 0)
        return runCli(args, {}, timeoutMs);
    // setpriv (util-linux, on every Debian system) drops the capabilities
    // from the bounding set, so the exec'd CLI cannot regain them.
    return runProgram(QStringLiteral("setpriv"),
                      QStringList{QStringLiteral("--bounding-set=-dac_override,-dac_read_search"),
                                  QStringLiteral("--"), cliPath()} + args,
                      {}, timeoutMs, {});
}

PermissionsEnforced::PermissionsEnforced() { lowered_ = ::geteuid() == 0 && setEffectiveDacCapabilities(false); }

PermissionsEnforced::~PermissionsEnforced()
{
    if (lowered_)
        setEffectiveDacCapabilities(true);
}

std::string writeTestFile(const QTemporaryDir& dir, const QString& name, const std::string& content)
{
    const QString path = dir.filePath(name);
    QDir().mkpath(QFileInfo(path).path());
    xbt::writeFileAtomic(path.toStdString(), content);
    return path.toStdString();
}

}  // namespace xbt::test

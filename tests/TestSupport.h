#pragma once
// Where tests find their inputs, and small helpers shared by test files.

#include "core/util/Error.h"

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <string>

namespace xbt::test {

// ../shared beside the checkout: CLIP merges, tokenizer and preprocessing cases.
QString sharedDir();
// Fixture models written by tests/fixtures/make_clip_fixtures.py.
QString fixtureDir();
QString sourceDir();
// The built `xbt` CLI.
QString cliPath();

struct CliResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};
// Runs `xbt args...`, feeding `input` on stdin; waits up to timeoutMs.
CliResult runCli(const QStringList& args, const QByteArray& input = {}, int timeoutMs = 300000,
                 const QString& workingDir = {});

// As runCli, but file permissions apply even when the tests run as root
// (CI does): the CLI runs without the capabilities that bypass them, so a
// folder made unreadable with chmod 000 is unreadable to it.
CliResult runCliWithPermissions(const QStringList& args, int timeoutMs = 300000);

// While alive, the calling thread obeys file permissions even as root: the
// capabilities that bypass them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) are
// lowered from its effective set and raised again on destruction. Threads
// started meanwhile inherit the lowered set.
class PermissionsEnforced {
public:
    PermissionsEnforced();
    ~PermissionsEnforced();
    PermissionsEnforced(const PermissionsEnforced&) = delete;
    PermissionsEnforced& operator=(const PermissionsEnforced&) = delete;

private:
    bool lowered_ = false;
};

// The message of the xbt::Error that `f` throws, or an empty string when it
// throws none.
template <typename F>
QString errorOf(F&& f)
{
    try {
        f();
    } catch (const xbt::Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

// Writes `content` to dir/name, creating subfolders; returns the path.
std::string writeTestFile(const QTemporaryDir& dir, const QString& name, const std::string& content);

}  // namespace xbt::test

// Checks that an error message (see errorOf) mentions `fragment`.
#define VERIFY_CONTAINS(text, fragment)                                                                          \
    QVERIFY2((text).contains(fragment),                                                                          \
             qPrintable((text).isEmpty() ? QStringLiteral("no error was thrown") : (text)))

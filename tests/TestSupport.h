#pragma once
// Where tests find their inputs, and small helpers shared by test files.

#include <QString>
#include <QStringList>

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

}  // namespace xbt::test

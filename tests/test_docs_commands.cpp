// The docs' commands run: every `xbt ...` command line in README.md and
// docs/*.md (shell code blocks and inline code) names a command that exists
// and only options that command has, checked against the CLI's own command
// table and option parser. docs/cli.md is generated from that table and is
// skipped; usage-syntax lines ([optional], a|b, (groups)) are skipped; lines
// with an elision (...) are checked for the options they do name.
#include "app/xbt/Command.h"
#include "tests/TestSupport.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QtTest>

#include <set>

using namespace xbt::test;
using xbt::cli::CliArgs;
using xbt::cli::Command;
using xbt::cli::UsageError;

namespace {

struct DocCommand {
    QString file;
    int line = 0;
    QString text;
};

// Splits a shell command line into words, honouring quotes and backslashes.
QStringList shellWords(const QString& line)
{
    QStringList words;
    QString word;
    bool inWord = false;
    QChar quote;
    for (int i = 0; i < line.size(); ++i) {
        const QChar c = line[i];
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
            else if (c == '\\' && quote == '"' && i + 1 < line.size())
                word += line[++i];
            else
                word += c;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            inWord = true;
        } else if (c == '\\' && i + 1 < line.size()) {
            word += line[++i];
            inWord = true;
        } else if (c.isSpace()) {
            if (inWord)
                words << word;
            word.clear();
            inWord = false;
        } else {
            word += c;
            inWord = true;
        }
    }
    if (inWord)
        words << word;
    return words;
}

// The xbt command a line of shell runs, from the word `xbt` to the end or to
// the first shell operator (;, &&, >, 2>, ...), without a leading prompt or
// environment assignments. Empty when the line runs no xbt command.
QString xbtCommandIn(QString line)
{
    line = line.trimmed();
    if (line.startsWith("$ "))
        line = line.mid(2);
    static const QRegularExpression start(QStringLiteral("^(?:[A-Za-z_][A-Za-z0-9_]*=\\S*\\s+)*xbt(\\s|$)"));
    const QRegularExpressionMatch m = start.match(line);
    if (!m.hasMatch())
        return {};
    line = line.mid(m.capturedStart(0) + m.captured(0).indexOf(QStringLiteral("xbt")));
    static const QRegularExpression op(QStringLiteral("\\s(;|&&|\\|\\||[0-9]?>|<|#)"));
    const QRegularExpressionMatch end = op.match(line);
    return end.hasMatch() ? line.left(end.capturedStart(0)) : line;
}

std::vector<DocCommand> docCommands(const QString& file)
{
    std::vector<DocCommand> out;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return out;
    const QStringList lines = QString::fromUtf8(f.readAll()).split('\n');
    bool inBlock = false;
    bool shellBlock = false;
    QString pending;
    int pendingLine = 0;
    static const QRegularExpression inlineCode(QStringLiteral("`([^`]+)`"));
    for (int i = 0; i < lines.size(); ++i) {
        const QString& line = lines[i];
        if (line.trimmed().startsWith("```")) {
            const QString lang = line.trimmed().mid(3).trimmed();
            inBlock = !inBlock;
            shellBlock = inBlock && (lang.isEmpty() || lang == "sh" || lang == "bash" || lang == "shell" ||
                                     lang == "console");
            continue;
        }
        if (inBlock) {
            if (!shellBlock)
                continue;
            // Continuation lines (trailing backslash) make one command.
            if (pending.isEmpty())
                pendingLine = i + 1;
            pending += line;
            if (pending.endsWith('\\')) {
                pending.chop(1);
                pending += ' ';
                continue;
            }
            const QString command = xbtCommandIn(pending);
            if (!command.isEmpty())
                out.push_back({file, pendingLine, command});
            pending.clear();
            continue;
        }
        for (const QRegularExpressionMatch& m : inlineCode.globalMatch(line)) {
            const QString command = xbtCommandIn(m.captured(1));
            if (!command.isEmpty())
                out.push_back({file, i + 1, command});
        }
    }
    return out;
}

bool usageSyntax(const QString& text) { return text.contains('[') || text.contains('|') || text.contains('('); }

// Empty when the command line is one the CLI accepts (commands and option
// names; values are not checked), else what is wrong.
QString problemWith(const DocCommand& c)
{
    QStringList words = shellWords(c.text);
    words.removeFirst();  // xbt
    if (words.isEmpty() || words.first().startsWith('-'))
        return {};  // `xbt --help` and friends
    std::vector<std::string> args;
    for (const QString& w : words)
        args.push_back(w.toStdString());
    size_t named = 0;
    const Command* command = xbt::cli::findCommand(args, named);
    if (!command)
        return QStringLiteral("no command '%1'").arg(words.first());
    args.erase(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(named));
    std::set<std::string> options;
    for (const auto& spec : command->options)
        options.insert(spec.name);
    for (const std::string& a : args) {
        if (a == "--")
            break;
        const bool longOpt = a.rfind("--", 0) == 0 && a.size() > 2;
        const bool shortOpt = !longOpt && a.size() == 2 && a[0] == '-' && a[1] != '-' && !std::isdigit(a[1]);
        if (!longOpt && !shortOpt)
            continue;
        const std::string name = a.substr(longOpt ? 2 : 1, a.find('=') == std::string::npos ? std::string::npos
                                                                                           : a.find('=') - (longOpt ? 2 : 1));
        if (name != "help" && !options.count(name))
            return QStringLiteral("xbt %1 has no option %2").arg(QString::fromStdString(command->name),
                                                                 QString::fromStdString(a));
    }
    // A complete line goes through the parser itself (values, switches).
    // Prose that names an option ("`xbt search --adapter`") ends with it.
    if (!c.text.contains(QStringLiteral("...")) && !c.text.contains(QStringLiteral("--help"))) {
        const bool mentionsLastOption = !args.empty() && args.back().rfind("-", 0) == 0;
        if (mentionsLastOption)
            args.pop_back();
        try {
            CliArgs::parse(args, command->options);
        } catch (const UsageError& e) {
            return QString::fromStdString(e.what());
        }
    }
    return {};
}

}  // namespace

class TestDocsCommands : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void extractionFindsCommands()
    {
        QCOMPARE(xbtCommandIn(QStringLiteral("$ xbt index photos --model sample-old > log.txt")),
                 QStringLiteral("xbt index photos --model sample-old"));
        QCOMPARE(xbtCommandIn(QStringLiteral("OMP_NUM_THREADS=2 xbt eval --old A")), QStringLiteral("xbt eval --old A"));
        QVERIFY(xbtCommandIn(QStringLiteral("xbt-workbench --demo")).isEmpty());
        QVERIFY(xbtCommandIn(QStringLiteral("bash scripts/run.sh")).isEmpty());
        QCOMPARE(shellWords(QStringLiteral("xbt search --text \"a red circle\" -k 5")),
                 (QStringList{"xbt", "search", "--text", "a red circle", "-k", "5"}));
        // The checker itself catches what the issue found.
        QVERIFY(!problemWith({"x", 1, "xbt index --workspace WS --gallery G --model OLD --images DIR"}).isEmpty());
        QVERIFY(!problemWith({"x", 1, "xbt indx photos"}).isEmpty());
        QVERIFY(problemWith({"x", 1, "xbt index photos --workspace WS --gallery G --model OLD"}).isEmpty());
    }

    void everyDocumentedCommandExists()
    {
        QStringList files = {sourceDir() + "/README.md"};
        for (const QString& name : QDir(sourceDir() + "/docs").entryList({"*.md"}, QDir::Files))
            if (name != "cli.md")
                files << sourceDir() + "/docs/" + name;
        int checked = 0;
        QStringList problems;
        for (const QString& file : files) {
            for (const DocCommand& c : docCommands(file)) {
                if (usageSyntax(c.text))
                    continue;
                ++checked;
                const QString problem = problemWith(c);
                if (!problem.isEmpty())
                    problems << QStringLiteral("%1:%2: %3\n    %4")
                                    .arg(QDir(sourceDir()).relativeFilePath(c.file))
                                    .arg(c.line)
                                    .arg(problem, c.text);
            }
        }
        qInfo("%d documented xbt command lines checked", checked);
        QVERIFY2(checked > 40, qPrintable(QString::number(checked)));
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
    }
};

QTEST_GUILESS_MAIN(TestDocsCommands)
#include "test_docs_commands.moc"

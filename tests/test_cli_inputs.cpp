// What a careless or hostile user can hand the CLI, and what it must do:
// FIFOs never hang a command, outputs never replace a FIFO or device,
// settings that would make every embedding NaN are refused up front, bad
// numbers in JSON and .npy files name the file, names with a newline
// survive the embed -> import round trip, and nothing is created wider
// than 0644 / 0755 whatever the umask. Each command runs with a short
// timeout: a hang fails the test instead of stalling the suite.
#include "core/util/FileUtil.h"
#include "core/util/NpyFile.h"
#include "tests/TestSupport.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace xbt::test;

namespace {

constexpr int kQuick = 60000;  // ms: every command here finishes in seconds

QString describe(const CliResult& r)
{
    return QString("exit %1\nstdout: %2\nstderr: %3").arg(r.exitCode).arg(QString(r.out)).arg(QString(r.err));
}

// The error a user reads: one or two lines, no library stack trace.
void verifyShortError(const CliResult& r, const QString& fragment)
{
    QVERIFY2(r.exitCode == 1, qPrintable(describe(r)));
    QVERIFY2(QString::fromUtf8(r.err).contains(fragment), qPrintable(describe(r)));
    QVERIFY2(r.err.count('\n') <= 3, qPrintable(describe(r)));
    QVERIFY2(!r.err.contains("unexpected error") && !r.err.contains("Exception raised from"), qPrintable(describe(r)));
}

}  // namespace

class TestCliInputs : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString images_;
    QString fifo_;

    QString path(const QString& name) const { return dir_.filePath(name); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        images_ = path("images");
        QCOMPARE(runCli({"sample", "generate", "--split", "test", "--count", "6", "--out", images_}).exitCode, 0);
        fifo_ = path("pipe.png");
        QCOMPARE(::mkfifo(fifo_.toLocal8Bit().constData(), 0600), 0);
    }

    void fifosNeverHang()
    {
        const QString ws = path("ws-fifo");
        QCOMPARE(runCli({"index", images_, "--model", "sample-old", "--workspace", ws}, {}, kQuick).exitCode, 0);
        verifyShortError(runCli({"search", "--workspace", ws, "--image", fifo_}, {}, kQuick), "FIFO");

        const std::string list = writeTestFile(dir_, "list.txt",
                                               (images_ + "/000001.png\n" + fifo_ + "\n").toStdString());
        const CliResult embed =
            runCli({"embed", "--model", "sample-old", "--images", QString::fromStdString(list), "--out",
                    path("list.npy")},
                   {}, kQuick);
        QVERIFY2(embed.exitCode == 2 && embed.err.contains("FIFO"), qPrintable(describe(embed)));

        const CliResult pre =
            runCli({"preprocess", "--model", "sample-old", fifo_, "--out", path("pre")}, {}, kQuick);
        QVERIFY2(pre.exitCode == 2 && pre.err.contains("FIFO"), qPrintable(describe(pre)));
        verifyShortError(runCli({"report", "--results", fifo_, "--out", path("report")}, {}, kQuick), "FIFO");
    }

    void foldersWhereFilesBelongAreNamedAsFolders()
    {
        const QString ws = path("ws-dir");
        QCOMPARE(runCli({"index", images_, "--model", "sample-old", "--workspace", ws}, {}, kQuick).exitCode, 0);
        verifyShortError(runCli({"search", "--workspace", ws, "--image", images_}, {}, kQuick), "is a folder");
        verifyShortError(runCli({"tokenize", "--merges", images_}, "{\"text\": \"a cat\"}\n", kQuick),
                         "is a folder");
    }

    // An output path that holds a FIFO or a device is refused; the node is
    // left as it was, never replaced by a regular file.
    void outputsNeverReplaceSpecialFiles()
    {
        const QString out = path("out.npy");
        QCOMPARE(::mkfifo(out.toLocal8Bit().constData(), 0600), 0);
        verifyShortError(runCli({"embed", "--model", "sample-old", "--images", images_, "--out", out}, {}, kQuick),
                         "FIFO");
        struct stat st {};
        QCOMPARE(::lstat(out.toLocal8Bit().constData(), &st), 0);
        QVERIFY(S_ISFIFO(st.st_mode));
        if (::access("/dev/null", W_OK) == 0) {
            verifyShortError(
                runCli({"embed", "--model", "sample-old", "--images", images_, "--out", "/dev/null"}, {}, kQuick),
                "is a device");
            QCOMPARE(::lstat("/dev/null", &st), 0);
            QVERIFY(S_ISCHR(st.st_mode));
        }
    }

    // Damaged PNGs (a bad chunk CRC, a cut-off file) are reported by xbt in
    // its own words; libpng's messages never reach stderr.
    void libpngStaysQuietOnDamagedPngs()
    {
        const QString folder = path("damaged");
        QVERIFY(QDir().mkpath(folder));
        QFile source(images_ + "/000000.png");
        QVERIFY(source.open(QIODevice::ReadOnly));
        const QByteArray png = source.readAll();
        QByteArray badCrc = png;
        badCrc[33 - 1] = static_cast<char>(badCrc[33 - 1] ^ 0x5a);  // the IHDR chunk's CRC
        for (const auto& [name, bytes] : {std::pair<QString, QByteArray>{"crc.png", badCrc},
                                          std::pair<QString, QByteArray>{"cut.png", png.left(png.size() / 2)},
                                          std::pair<QString, QByteArray>{"fine.png", png}}) {
            QFile f(folder + "/" + name);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes);
        }
        const CliResult r = runCli({"index", folder, "--model", "sample-old", "--workspace", path("ws-damaged")}, {},
                                   kQuick);
        QVERIFY2(r.exitCode == 2, qPrintable(describe(r)));  // two files failed, one indexed
        QVERIFY2(!r.err.contains("libpng") && !r.out.contains("libpng"), qPrintable(describe(r)));
        QVERIFY2(r.out.contains("crc.png") || r.err.contains("crc.png"), qPrintable(describe(r)));
    }

    // Settings that would turn every embedding into NaN, or images into
    // 120 GB tensors, are refused before any work, naming the option.
    void impossibleModelSettingsAreRefused()
    {
        const QString ws = path("ws-settings");
        const QStringList index = {"index", images_, "--model", "sample-old", "--workspace", ws};
        verifyShortError(runCli(index + QStringList{"--std", "0,0,0"}, {}, kQuick), "--std");
        verifyShortError(runCli(index + QStringList{"--mean", "inf,0,0"}, {}, kQuick), "--mean");
        verifyShortError(runCli(index + QStringList{"--max-megapixels", "0"}, {}, kQuick), "--max-megapixels");
        verifyShortError(runCli(index + QStringList{"--max-megapixels", "-1"}, {}, kQuick), "--max-megapixels");
        QVERIFY(!QFileInfo::exists(ws + "/galleries/default/gallery.sqlite"));
        verifyShortError(runCli({"embed", "--model", "sample-old", "--images", images_, "--out", path("r.npy"),
                                 "--input-resolution", "100000"},
                                {}, kQuick),
                         "--input-resolution");
        // A sidecar saying so (beside a real TorchScript archive).
        writeTestFile(dir_, "sidecar/model.json", R"({"input_resolution": 100000})");
        QVERIFY(QFile::copy(fixtureDir() + "/tiny/tiny_clip.pt", path("sidecar/model.pt")));
        verifyShortError(runCli({"info", "--model", path("sidecar/model.pt"), "--merges",
                                 sharedDir() + "/clip/bpe_simple_vocab_16e6.txt.gz"},
                                {}, kQuick),
                         "\"input_resolution\" is 100000");
    }

    void numbersOutOfRangeNameTheirFile()
    {
        const std::string coco = writeTestFile(
            dir_, "coco/captions.json",
            R"({"images": [{"id": 1e400, "file_name": "000001.png"}], "annotations": []})");
        verifyShortError(runCli({"index", images_, "--model", "sample-old", "--workspace", path("ws-coco"),
                                 "--captions", QString::fromStdString(coco)},
                                {}, kQuick),
                         QString::fromStdString(coco) + ": not valid JSON");
        const std::string results = writeTestFile(dir_, "results/results.json", R"({"configurations": [1e999]})");
        verifyShortError(runCli({"report", "--results", QString::fromStdString(results), "--out", path("rep")}, {},
                                kQuick),
                         QString::fromStdString(results) + ": not valid JSON");

        // .npy headers claiming 2^61 rows, or a negative dimension.
        const auto npyWithShape = [&](const QString& name, const std::string& shape) {
            std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
            header.resize(118, ' ');
            header += '\n';
            std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
            bytes += char(header.size() & 0xff);
            bytes += char(header.size() >> 8);
            bytes += header + std::string(64, '\0');
            return writeTestFile(dir_, name, bytes);
        };
        const std::string huge = npyWithShape("huge.npy", "(2305843009213693952, 2)");
        writeTestFile(dir_, "huge.npy.txt", "000001.png\n");
        verifyShortError(runCli({"import", "--embeddings", QString::fromStdString(huge), "--model", "sample-old",
                                 "--workspace", path("ws-npy"), "--root", images_},
                                {}, kQuick),
                         QString::fromStdString(huge));
        const std::string negative = npyWithShape("negative.npy", "(-4, 2)");
        writeTestFile(dir_, "negative.npy.txt", "000001.png\n");
        verifyShortError(runCli({"import", "--embeddings", QString::fromStdString(negative), "--model",
                                 "sample-old", "--workspace", path("ws-npy"), "--root", images_},
                                {}, kQuick),
                         "not a non-negative integer");
    }

    void trainingChecksItsGalleryBeforeAnyWork()
    {
        const CliResult r = runCli({"train", "--method", "fct", "--workspace", path("ws-fct"), "--old", "sample-old",
                                    "--new", "sample-new", "--pairs", images_, "--gallery", "nope"},
                                   {}, kQuick);
        verifyShortError(r, "gallery 'nope' does not exist");
    }

    void galleryNamesCannotHideBehindSpaces()
    {
        verifyShortError(runCli({"index", images_, "--model", "sample-old", "--workspace", path("ws-space"),
                                 "--gallery", "default "},
                                {}, kQuick),
                         "space");
    }

    // A file name holding a newline goes through xbt embed's row listing
    // and back into xbt import as one row.
    void namesWithNewlinesSurviveTheListing()
    {
        const QString folder = path("odd-names");
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(QFile::copy(images_ + "/000001.png", folder + "/plain.png"));
        QVERIFY(QFile::copy(images_ + "/000002.png", folder + "/two\nlines.png"));
        QVERIFY(QFile::copy(images_ + "/000003.png", folder + "/back\\slash.png"));
        const QString npy = path("odd.npy");
        CliResult r = runCli({"embed", "--model", "sample-old", "--images", folder, "--out", npy}, {}, kQuick);
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QFile listing(npy + ".txt");
        QVERIFY(listing.open(QIODevice::ReadOnly));
        QCOMPARE(listing.readAll().count('\n'), 3);
        r = runCli({"import", "--embeddings", npy, "--model", "sample-old", "--workspace", path("ws-odd"), "--root",
                    folder},
                   {}, kQuick);
        QVERIFY2(r.exitCode == 0 && r.out.contains("imported 3") && r.out.contains("not on disk 0"),
                 qPrintable(describe(r)));
        r = runCli({"search", "--workspace", path("ws-odd"), "--text", "a shape", "-k", "3"}, {}, kQuick);
        QVERIFY2(r.out.contains("two\\nlines.png") && r.out.contains("back\\\\slash.png"), qPrintable(describe(r)));
    }

    // With umask 000 nothing the CLI creates is group- or world-writable.
    void createdFilesAreNeverWiderThan0644()
    {
        const QString ws = path("ws-umask");
        QProcess p;
        p.start("bash", QStringList{"-c", "umask 000; exec \"$0\" \"$@\"", cliPath(), "index", images_, "--model",
                                    "sample-old", "--workspace", ws});
        QVERIFY(p.waitForFinished(kQuick));
        QCOMPARE(p.exitCode(), 0);
        int checked = 0;
        QDirIterator it(ws, QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const std::string entry = it.next().toStdString();
            struct stat st {};
            QCOMPARE(::lstat(entry.c_str(), &st), 0);
            const mode_t limit = S_ISDIR(st.st_mode) ? 0755 : 0644;
            QVERIFY2((st.st_mode & 07777 & ~limit) == 0,
                     qPrintable(QString("%1 has mode %2").arg(QString::fromStdString(entry)).arg(st.st_mode & 07777, 0, 8)));
            ++checked;
        }
        QVERIFY(checked > 5);
    }
};

QTEST_GUILESS_MAIN(TestCliInputs)
#include "test_cli_inputs.moc"

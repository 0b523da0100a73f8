// Engine utilities: hashing, .npy exchange with Python, half floats, atomic writes.
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/Half.h"
#include "core/util/NpyFile.h"
#include "core/util/Sha256.h"
#include "core/util/Utf8.h"

#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace xbt;

class TestUtil : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sha256KnownVectors()
    {
        QCOMPARE(QString::fromStdString(sha256Hex("")),
                 QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(QString::fromStdString(sha256Hex("abc")),
                 QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        // Crosses the 56-byte padding boundary and several blocks.
        QCOMPARE(QString::fromStdString(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
                 QStringLiteral("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
        Sha256 chunked;
        const std::string million(1000000, 'a');
        for (size_t i = 0; i < million.size(); i += 997)
            chunked.update(million.data() + i, std::min<size_t>(997, million.size() - i));
        QCOMPARE(QString::fromStdString(chunked.hexDigest()),
                 QStringLiteral("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    }

    void npyRoundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("m.npy").toStdString();
        Matrix m(3, 5);
        for (size_t i = 0; i < m.data.size(); ++i)
            m.data[i] = static_cast<float>(i) * 0.25f - 1.0f;
        writeNpy(path, m);
        const std::string bytes = readFileBytes(path);
        QVERIFY(bytes.rfind("\x93NUMPY\x01\x00", 0) == 0);
        QCOMPARE((bytes.size() - m.data.size() * 4) % 64, size_t(0));  // header padded to 64
        const Matrix back = readNpyMatrix(path);
        QCOMPARE(back.rows, int64_t(3));
        QCOMPARE(back.cols, int64_t(5));
        QVERIFY(back.data == m.data);
    }

    void npyErrorsNameTheFile()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("bad.npy").toStdString();
        writeFileAtomic(path, "not numpy at all");
        try {
            readNpyMatrix(path);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("bad.npy"));
        }
    }

    void halfConversion()
    {
        QCOMPARE(halfToFloat(0x3c00), 1.0f);
        QCOMPARE(halfToFloat(0xc000), -2.0f);
        QCOMPARE(halfToFloat(0x0001), 5.9604645e-08f);
        QCOMPARE(floatToHalf(1.0f), uint16_t(0x3c00));
        QCOMPARE(floatToHalf(65504.0f), uint16_t(0x7bff));
        QCOMPARE(floatToHalf(1e6f), uint16_t(0x7c00));
        for (uint16_t h = 0; h < 0x7c00; h += 7)
            QCOMPARE(floatToHalf(halfToFloat(h)), h);
    }

    void atomicWriteReplaces()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("f.txt").toStdString();
        writeFileAtomic(path, "one");
        writeFileAtomic(path, "two\r\nthree\n");
        QCOMPARE(readTextLines(path), (std::vector<std::string>{"two", "three"}));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);  // no temporary left behind
    }

    // Only regular files are read, and a FIFO is refused at once (opened
    // non-blocking) instead of hanging the reader.
    void specialFilesAreRefusedNotRead()
    {
        QTemporaryDir dir;
        const std::string fifo = dir.filePath("pipe").toStdString();
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        try {
            readFileBytes(fifo);
            QFAIL("a FIFO must be refused");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("FIFO"), e.what());
        }
        try {
            readFileBytes(dir.path().toStdString());
            QFAIL("a folder must be refused");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("is a folder"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(Error, sha256File(fifo));
        // Writing over a FIFO is refused; the FIFO stays.
        QVERIFY_THROWS_EXCEPTION(Error, writeFileAtomic(fifo, "data"));
        struct stat st {};
        QCOMPARE(::lstat(fifo.c_str(), &st), 0);
        QVERIFY(S_ISFIFO(st.st_mode));
        // A link is replaced by the new file, never written through.
        const std::string target = dir.filePath("target").toStdString();
        const std::string link = dir.filePath("link").toStdString();
        writeFileAtomic(target, "precious");
        QCOMPARE(::symlink(target.c_str(), link.c_str()), 0);
        writeFileAtomic(link, "new");
        QCOMPARE(QString::fromStdString(readFileBytes(target)), QStringLiteral("precious"));
        QCOMPARE(::lstat(link.c_str(), &st), 0);
        QVERIFY(S_ISREG(st.st_mode));
    }

    void linesEscapeAndReadBack()
    {
        const std::string name = std::string("a\\b\nc\td\x01" "e\xff\xfe caf\xc3\xa9.png");
        const std::string line = escapeLine(name);
        QCOMPARE(QString::fromStdString(line), QStringLiteral("a\\\\b\\nc\\td\\x01e\\xff\\xfe caf\u00e9.png"));
        QVERIFY(line.find('\n') == std::string::npos);
        QCOMPARE(unescapeLine(line), name);
        QCOMPARE(unescapeLine("plain/path.jpg"), std::string("plain/path.jpg"));
        QCOMPARE(unescapeLine("odd\\q"), std::string("odd\\q"));
        QCOMPARE(QString::fromStdString(printableExcerpt(std::string(100, 'x'), 10)), QStringLiteral("xxxxxxxxxx..."));
    }

    void npyHeadersCannotClaimMoreThanTheFileHolds()
    {
        QTemporaryDir dir;
        const auto withShape = [&](const std::string& shape) {
            std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
            header.resize(118, ' ');
            header += '\n';
            std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
            bytes += char(header.size() & 0xff);
            bytes += char(header.size() >> 8);
            bytes += header + std::string(32, '\0');
            const std::string path = dir.filePath("h.npy").toStdString();
            writeFileAtomic(path, bytes);
            try {
                readNpyMatrix(path);
            } catch (const Error& e) {
                return QString(e.what());
            }
            return QString();
        };
        QVERIFY(withShape("(4, 2)").isEmpty());
        QVERIFY2(withShape("(2305843009213693952, 2)").contains("needs more data"), qPrintable(withShape("(2305843009213693952, 2)")));
        QVERIFY2(withShape("(-4, 2)").contains("not a non-negative integer"), qPrintable(withShape("(-4, 2)")));
        QVERIFY(withShape("(99999999999999999999999, 2)").contains("not a non-negative integer"));
    }
};

QTEST_GUILESS_MAIN(TestUtil)
#include "test_util.moc"

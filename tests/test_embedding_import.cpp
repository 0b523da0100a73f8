// Importing embeddings made elsewhere: the `xbt embed` layout and
// clip-retrieval's img_emb/ + metadata/ folder, every check that refuses a
// bad import, and the agreement check against recomputed rows.
#include "core/data/EmbeddingImport.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/Half.h"
#include "core/util/NpyFile.h"
#include "tests/TestSupport.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>
#include <random>

using namespace xbt;
using namespace xbt::test;

namespace {

std::string writeMatrix(const QTemporaryDir& dir, const QString& name, const Matrix& m)
{
    const QString path = dir.filePath(name);
    QDir().mkpath(QFileInfo(path).path());
    writeNpy(path.toStdString(), m);
    return path.toStdString();
}

}  // namespace

class TestEmbeddingImport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void xbtEmbedRoundTrip()
    {
        QTemporaryDir dir;
        const Matrix m = randomUnitRows(3, 8, 1);
        const std::string npy = writeMatrix(dir, "E.npy", m);
        writeTestFile(dir, "E.npy.txt", "a.jpg\nsub/b.png\nc.jpg\n\n");
        const ImportedEmbeddings r = importEmbeddings(npy);
        QVERIFY(r.embeddings.data == m.data);
        QCOMPARE(r.embeddings.rows, int64_t(3));
        QCOMPARE(r.paths, (std::vector<std::string>{"a.jpg", "sub/b.png", "c.jpg"}));
        QCOMPARE(r.renormalisedRows, int64_t(0));
        VERIFY_CONTAINS(QString::fromStdString(r.sourceDescription), "E.npy.txt: 3 x 8");

        EmbeddingImportOptions o;
        o.pathsFile = writeTestFile(dir, "list.txt", "x.jpg\ny.jpg\nz.jpg\n");
        QCOMPARE(importEmbeddings(npy, o).paths.front(), std::string("x.jpg"));
        const std::string lonely = writeMatrix(dir, "F.npy", m);
        VERIFY_CONTAINS(errorOf([&] { importEmbeddings(lonely); }), "no path listing");
        writeTestFile(dir, "E.npy.txt", "a.jpg\n\nc.jpg\nd.jpg\n");
        VERIFY_CONTAINS(errorOf([&] { importEmbeddings(npy); }), "E.npy.txt line 2: empty path");
    }

    void float16Accepted()
    {
        QTemporaryDir dir;
        const Matrix m = randomUnitRows(2, 16, 2);
        std::vector<uint16_t> halves;
        for (float v : m.data)
            halves.push_back(floatToHalf(v));
        std::string header = "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 16), }";
        header.append(64 - (10 + header.size() + 1) % 64, ' ');
        header += '\n';
        std::string bytes("\x93NUMPY\x01\x00", 8);
        bytes += static_cast<char>(header.size() & 0xff);
        bytes += static_cast<char>(header.size() >> 8);
        bytes += header;
        bytes.append(reinterpret_cast<const char*>(halves.data()), halves.size() * sizeof(uint16_t));
        const std::string npy = writeTestFile(dir, "half.npy", bytes);
        writeTestFile(dir, "half.npy.txt", "a.jpg\nb.jpg\n");
        const ImportedEmbeddings r = importEmbeddings(npy);
        QCOMPARE(r.embeddings.cols, int64_t(16));
        QCOMPARE(r.renormalisedRows, int64_t(0));
        QVERIFY(std::abs(r.embeddings.at(1, 3) - m.at(1, 3)) < 1e-3f);
    }

    void clipRetrievalShards()
    {
        QTemporaryDir dir;
        const Matrix first = randomUnitRows(3, 8, 3);
        const Matrix second = randomUnitRows(2, 8, 4);
        writeMatrix(dir, "out/img_emb/img_emb_0.npy", first);
        writeMatrix(dir, "out/img_emb/img_emb_1.npy", second);
        writeTestFile(dir, "out/metadata/metadata_0.csv",
              "caption,image_path\n\"a cat, sleeping\",/data/a.jpg\nx,/data/b.jpg\ny,/data/c.jpg\n");
        writeTestFile(dir, "out/metadata/metadata_1.csv", "image_path\n/data/d.jpg\n/data/e.jpg\n");
        writeTestFile(dir, "out/text_emb/text_emb_0.npy", "ignored");
        const ImportedEmbeddings r = importEmbeddings(dir.filePath("out").toStdString());
        QCOMPARE(r.embeddings.rows, int64_t(5));
        QCOMPARE(r.paths, (std::vector<std::string>{"/data/a.jpg", "/data/b.jpg", "/data/c.jpg", "/data/d.jpg",
                                                    "/data/e.jpg"}));
        QCOMPARE(r.embeddings.at(3, 5), second.at(0, 5));
        VERIFY_CONTAINS(QString::fromStdString(r.sourceDescription), "2 shards, 5 x 8");
    }

    void clipRetrievalShardsInNumericOrder()
    {
        QTemporaryDir dir;
        writeMatrix(dir, "img_emb/img_emb_10.npy", randomUnitRows(1, 4, 5));
        writeMatrix(dir, "img_emb/img_emb_9.npy", randomUnitRows(1, 4, 6));
        writeTestFile(dir, "metadata/metadata_10.txt", "ten.jpg\n");
        writeTestFile(dir, "metadata/metadata_9.txt", "nine.jpg\n");
        const ImportedEmbeddings r = importEmbeddings(dir.path().toStdString());
        QCOMPARE(r.paths, (std::vector<std::string>{"nine.jpg", "ten.jpg"}));
    }

    void clipRetrievalRefusals()
    {
        QTemporaryDir dir;
        writeMatrix(dir, "img_emb/img_emb_0.npy", randomUnitRows(2, 4, 7));
        writeTestFile(dir, "metadata/metadata_0.parquet", "PAR1");
        const QString parquet = errorOf([&] { importEmbeddings(dir.path().toStdString()); });
        VERIFY_CONTAINS(parquet, "metadata_0.parquet: parquet metadata cannot be read here");
        VERIFY_CONTAINS(parquet, "to_csv('metadata_0.csv', index=False)");
        writeTestFile(dir, "metadata/metadata_0.csv", "caption,url\nx,http://a\n");
        writeTestFile(dir, "metadata/metadata_1.csv", "url\nhttp://c\n");
        VERIFY_CONTAINS(errorOf([&] { importEmbeddings(dir.path().toStdString()); }),
                        "metadata_1.csv: no matching img_emb/img_emb_1.npy");
        QFile::remove(dir.filePath("metadata/metadata_1.csv"));
        VERIFY_CONTAINS(errorOf([&] { importEmbeddings(dir.path().toStdString()); }),
                        "img_emb_0.npy has 2 rows but");
        writeTestFile(dir, "metadata/metadata_0.csv", "caption,name\nx,a.jpg\ny,b.jpg\n");
        VERIFY_CONTAINS(errorOf([&] { importEmbeddings(dir.path().toStdString()); }),
                        "the header (caption, name) has no image path column");
        QTemporaryDir empty;
        VERIFY_CONTAINS(errorOf([&] { importEmbeddings(empty.path().toStdString()); }),
                        "expected a clip-retrieval output folder");
    }

    void countAndDimensionChecks()
    {
        QTemporaryDir dir;
        const std::string npy = writeMatrix(dir, "E.npy", randomUnitRows(3, 4, 8));
        writeTestFile(dir, "E.npy.txt", "a.jpg\nb.jpg\n");
        VERIFY_CONTAINS(errorOf([&] { importEmbeddings(npy); }), "E.npy has 3 rows but");
        VERIFY_CONTAINS(errorOf([&] { importEmbeddings(npy); }), "E.npy.txt lists 2 paths");
        writeTestFile(dir, "E.npy.txt", "a.jpg\nb.jpg\nc.jpg\n");
        EmbeddingImportOptions o;
        o.expectedDim = 512;
        const QString dim = errorOf([&] { importEmbeddings(npy, o); });
        VERIFY_CONTAINS(dim, "have 4 dimensions but the gallery's model makes 512");
        const std::string empty = writeMatrix(dir, "Z.npy", Matrix(0, 4));
        writeTestFile(dir, "Z.npy.txt", "");
        VERIFY_CONTAINS(errorOf([&] { importEmbeddings(empty); }), "no embeddings");
    }

    void nonNormalisedRows()
    {
        QTemporaryDir dir;
        Matrix m = randomUnitRows(4, 6, 9);
        for (int64_t row : {1, 3})
            for (int64_t c = 0; c < m.cols; ++c)
                m.at(row, c) *= 2.0f;
        const std::string npy = writeMatrix(dir, "E.npy", m);
        writeTestFile(dir, "E.npy.txt", "a.jpg\nb.jpg\nc.jpg\nd.jpg\n");
        const QString error = errorOf([&] { importEmbeddings(npy); });
        VERIFY_CONTAINS(error, "2 of 4 rows are not L2-normalised");
        VERIFY_CONTAINS(error, "E.npy row 1 (b.jpg) with norm 2.0000");
        EmbeddingImportOptions o;
        o.normalize = true;
        const ImportedEmbeddings r = importEmbeddings(npy, o);
        QCOMPARE(r.renormalisedRows, int64_t(2));
        VERIFY_CONTAINS(QString::fromStdString(r.sourceDescription), "2 rows scaled to unit length");
        const Matrix expected = randomUnitRows(4, 6, 9);
        for (size_t i = 0; i < expected.data.size(); ++i)
            QVERIFY(std::abs(r.embeddings.data[i] - expected.data[i]) < 1e-6f);

        Matrix zeros = randomUnitRows(2, 6, 10);
        std::fill(zeros.row(1), zeros.row(1) + zeros.cols, 0.0f);
        const std::string z = writeMatrix(dir, "Z.npy", zeros);
        writeTestFile(dir, "Z.npy.txt", "a.jpg\nb.jpg\n");
        VERIFY_CONTAINS(errorOf([&] { importEmbeddings(z, o); }), "Z.npy row 1 (b.jpg): all zeros");
    }

    void nanRowsAndDuplicatePaths()
    {
        QTemporaryDir dir;
        Matrix m = randomUnitRows(3, 4, 11);
        m.at(2, 1) = std::numeric_limits<float>::quiet_NaN();
        const std::string npy = writeMatrix(dir, "E.npy", m);
        writeTestFile(dir, "E.npy.txt", "a.jpg\nb.jpg\nc.jpg\n");
        VERIFY_CONTAINS(errorOf([&] { importEmbeddings(npy); }), "E.npy row 2 (c.jpg): holds NaN or infinity");

        const std::string dup = writeMatrix(dir, "D.npy", randomUnitRows(3, 4, 12));
        writeTestFile(dir, "D.npy.txt", "a.jpg\nb.jpg\na.jpg\n");
        VERIFY_CONTAINS(errorOf([&] { importEmbeddings(dup); }),
                        "D.npy.txt line 3: duplicate path 'a.jpg' (first on D.npy.txt line 1)");
    }

    void agreementVerdicts()
    {
        const Matrix imported = randomUnitRows(5, 32, 13);
        const EmbeddingAgreement same = compareEmbeddings(imported, imported);
        QVERIFY(same.agree);
        QVERIFY(std::abs(same.minCosine - 1.0) < 1e-6);
        QCOMPARE(same.cosine.size(), size_t(5));

        // Small noise (float16 storage, a different BLAS) still agrees.
        Matrix close = imported;
        const Matrix noise = randomUnitRows(5, 32, 14);
        for (size_t i = 0; i < close.data.size(); ++i)
            close.data[i] += 0.01f * noise.data[i];
        QVERIFY(compareEmbeddings(imported, close).agree);

        Matrix off = imported;
        std::copy(noise.row(3), noise.row(3) + noise.cols, off.row(3));
        const EmbeddingAgreement a = compareEmbeddings(imported, off);
        QVERIFY(!a.agree);
        QCOMPARE(a.worstRow, int64_t(3));
        QVERIFY(a.meanCosine > a.minCosine);
        VERIFY_CONTAINS(QString::fromStdString(a.message), "different preprocessing");
        VERIFY_CONTAINS(QString::fromStdString(a.message), "(row 3)");
        VERIFY_CONTAINS(errorOf([&] { compareEmbeddings(imported, randomUnitRows(5, 16, 1)); }), "cannot compare");
    }
};

QTEST_GUILESS_MAIN(TestEmbeddingImport)
#include "test_embedding_import.moc"

// xbt import and xbt index --captions through the CLI, with the shipped
// built-in models (nothing trained): embeddings made by `xbt embed` imported
// into a gallery and checked against the model, a wrong dimension, perturbed
// embeddings caught by the agreement check, and caption files in CSV and
// COCO form, strict and lenient.
#include "core/gallery/GalleryStore.h"
#include "core/util/NpyFile.h"
#include "tests/TestSupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace xbt::test;

class TestGalleryImport : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString split_;     // 24 sample images (+ captions.tsv)
    QString oldNpy_;    // sample-old embeddings of split_ (128-d)
    QString newNpy_;    // sample-new embeddings of split_ (256-d)

    QString path(const QString& name) const { return dir_.filePath(name); }

    QStringList importArgs(const QString& npy, const QString& ws) const
    {
        return {"import", "--embeddings", npy, "--model", "sample-old", "--workspace", ws, "--root", split_};
    }

    QStringList indexArgs(const QString& ws) const
    {
        return {"index", split_, "--model", "sample-old", "--workspace", ws};
    }

    static QString text(const CliResult& r) { return QString::fromUtf8(r.out + r.err); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        split_ = path("split");
        QCOMPARE(runCli({"sample", "generate", "--split", "test", "--count", "24", "--out", split_}).exitCode, 0);
        oldNpy_ = path("old.npy");
        newNpy_ = path("new.npy");
        CliResult r = runCli({"embed", "--model", "sample-old", "--images", split_, "--out", oldNpy_});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        r = runCli({"embed", "--model", "sample-new", "--images", split_, "--out", newNpy_});
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }

    void importedEmbeddingsAgreeAndAreSearchable()
    {
        const QString ws = path("ws-import");
        const CliResult r = runCli(importArgs(oldNpy_, ws));
        QVERIFY2(r.exitCode == 0, qPrintable(text(r)));
        QVERIFY2(r.out.contains("imported 24, skipped 0"), r.out.constData());
        QVERIFY2(r.out.contains("not on disk 0"), r.out.constData());
        QVERIFY2(r.out.contains("agreement: 16 images"), r.out.constData());
        QVERIFY2(r.out.contains("min cosine"), r.out.constData());

        const CliResult s = runCli({"search", "--workspace", ws, "--text", "a red circle", "-k", "5", "--json"});
        QVERIFY2(s.exitCode == 0, s.err.constData());
        QCOMPARE(QJsonDocument::fromJson(s.out).object()["results"].toArray().size(), 5);

        const CliResult g = runCli({"galleries", "--workspace", ws});
        QCOMPARE(g.exitCode, 0);
        QVERIFY2(g.out.contains("default") && g.out.contains("24"), g.out.constData());

        const auto store = xbt::GalleryStore::open((ws + "/galleries/default/gallery.sqlite").toStdString(),
                                                   xbt::GalleryStore::Mode::ReadOnly);
        QCOMPARE(store.counts().embedded, int64_t(24));
        const std::string madeBy = store.items().front().madeBy;
        QVERIFY2(madeBy == store.settings().modelFingerprint + "+imported", madeBy.c_str());

        // The same import again: every image is already there, unchanged.
        const CliResult again = runCli(importArgs(oldNpy_, ws) + QStringList{"--check", "0"});
        QVERIFY2(again.exitCode == 0, qPrintable(text(again)));
        QVERIFY2(again.out.contains("imported 0, skipped 24"), again.out.constData());
        QVERIFY2(again.out.contains("agreement: not checked"), again.out.constData());
        // xbt index of the same root finds nothing to embed.
        const CliResult index = runCli(indexArgs(ws));
        QVERIFY2(index.exitCode == 0, qPrintable(text(index)));
        QVERIFY2(index.out.contains("unchanged 24"), index.out.constData());
    }

    // A gallery that stores side information gives imported items theirs
    // (from their files), as indexing would.
    void importedItemsGetTheGallerysSideInformation()
    {
        const QString root = path("side-root");
        QVERIFY(QDir().mkpath(root));
        QStringList images = QDir(split_).entryList({"*.png"}, QDir::Files, QDir::Name);
        QCOMPARE(images.size(), 24);
        for (int i = 0; i < 12; ++i)
            QVERIFY(QFile::copy(split_ + "/" + images[i], root + "/" + images[i]));
        const QString ws = path("ws-import-side");
        CliResult r = runCli({"index", root, "--model", "sample-old", "--workspace", ws, "--side-information"});
        QVERIFY2(r.exitCode == 0 && r.out.contains("side information: 12 images"), qPrintable(text(r)));
        for (int i = 12; i < 24; ++i)
            QVERIFY(QFile::copy(split_ + "/" + images[i], root + "/" + images[i]));
        r = runCli({"import", "--embeddings", oldNpy_, "--model", "sample-old", "--workspace", ws, "--root", root,
                    "--check", "0"});
        QVERIFY2(r.exitCode == 0, qPrintable(text(r)));
        QVERIFY2(r.out.contains("imported 12, skipped 12") &&
                     r.out.contains("side information: 12 images and 0 captions given theirs"),
                 r.out.constData());
        r = runCli({"galleries", "--workspace", ws});
        QVERIFY2(r.out.contains("side information: 24 of 24 images"), r.out.constData());
    }

    void anotherModelsDimensionIsRefused()
    {
        const QString ws = path("ws-dim");
        const CliResult r = runCli(importArgs(newNpy_, ws));
        QCOMPARE(r.exitCode, 1);
        const QString err = QString::fromUtf8(r.err);
        VERIFY_CONTAINS(err, "256 dimensions");
        VERIFY_CONTAINS(err, "128");
        QVERIFY(!QFileInfo::exists(ws + "/galleries/default/gallery.sqlite"));
    }

    void aGalleryOfAnotherModelIsRefused()
    {
        const QString ws = path("ws-lock");
        QCOMPARE(runCli({"index", split_, "--model", "sample-new", "--workspace", ws}).exitCode, 0);
        const CliResult r = runCli(importArgs(oldNpy_, ws));
        QCOMPARE(r.exitCode, 1);
        const QString err = QString::fromUtf8(r.err);
        VERIFY_CONTAINS(err, "built with model sample-new");
        VERIFY_CONTAINS(err, "model sample-old");
    }

    void pathsOutsideTheRootAreRefused()
    {
        const xbt::Matrix m = xbt::readNpyMatrix(oldNpy_.toStdString());
        const QString npy = path("outside.npy");
        xbt::writeNpy(npy.toStdString(), m);
        QFile list(oldNpy_ + ".txt");
        QVERIFY(list.open(QIODevice::ReadOnly));
        QByteArray rows = list.readAll();
        rows.replace(0, rows.indexOf('\n'), "/elsewhere/x.png");
        writeTestFile(dir_, "outside.npy.txt", rows.toStdString());
        const CliResult r = runCli(importArgs(npy, path("ws-outside")));
        QCOMPARE(r.exitCode, 1);
        VERIFY_CONTAINS(QString::fromUtf8(r.err), "/elsewhere/x.png' is outside the root");
    }

    void perturbedEmbeddingsFailTheAgreementCheck()
    {
        // Rows shifted by one: every vector is a real sample-old embedding,
        // of the wrong image.
        const xbt::Matrix m = xbt::readNpyMatrix(oldNpy_.toStdString());
        xbt::Matrix shifted(m.rows, m.cols);
        for (int64_t r = 0; r < m.rows; ++r)
            std::copy(m.row((r + 1) % m.rows), m.row((r + 1) % m.rows) + m.cols, shifted.row(r));
        const QString npy = path("shifted.npy");
        xbt::writeNpy(npy.toStdString(), shifted);
        QVERIFY(QFile::copy(oldNpy_ + ".txt", npy + ".txt"));
        // Refused: the model lock means the gallery holds this model's
        // embeddings, not something else's. Nothing is written.
        const QString ws = path("ws-shifted");
        CliResult r = runCli(importArgs(npy, ws));
        QVERIFY2(r.exitCode == 1, qPrintable(text(r)));
        VERIFY_CONTAINS(QString::fromUtf8(r.err),
                        "the imported embeddings do not match what model sample-old makes for the same images");
        VERIFY_CONTAINS(QString::fromUtf8(r.err), "--accept-disagreement");
        QVERIFY(!QFileInfo::exists(ws + "/galleries/default/gallery.sqlite"));

        // Accepted on purpose: imported, each row marked as disagreeing.
        r = runCli(importArgs(npy, ws) + QStringList{"--accept-disagreement"});
        QVERIFY2(r.exitCode == 2, qPrintable(text(r)));
        VERIFY_CONTAINS(QString::fromUtf8(r.err), "searches of this gallery mix two spaces");
        const auto store = xbt::GalleryStore::open((ws + "/galleries/default/gallery.sqlite").toStdString(),
                                                   xbt::GalleryStore::Mode::ReadOnly);
        QCOMPARE(store.counts().embedded, int64_t(24));
        for (const xbt::StoredItem& item : store.items())
            QVERIFY2(item.madeBy == store.settings().modelFingerprint + "+imported-disagreeing", item.madeBy.c_str());
    }

    void captionsFromCsvAndCoco()
    {
        const std::string csv = writeTestFile(dir_, "caps/captions.csv",
                                              "path,caption\n000001.png,\"a thing, with a comma\"\n"
                                              "000002.png,another thing\n000002.png,and one more\n");
        CliResult r = runCli(indexArgs(path("ws-csv")) + QStringList{"--captions", QString::fromStdString(csv),
                                                                      "--caption-format", "csv"});
        QVERIFY2(r.exitCode == 0, qPrintable(text(r)));
        QVERIFY2(r.out.contains("captions: 3 added"), r.out.constData());

        const std::string coco = writeTestFile(
            dir_, "caps/captions_val.json",
            R"({"images": [{"id": 7, "file_name": "000003.png"}, {"id": 8, "file_name": "000004.png"}],
                "annotations": [{"id": 1, "image_id": 7, "caption": "a shape"},
                                {"id": 2, "image_id": 8, "caption": "another shape"}]})");
        r = runCli(indexArgs(path("ws-coco")) + QStringList{"--captions", QString::fromStdString(coco)});
        QVERIFY2(r.exitCode == 0, qPrintable(text(r)));
        QVERIFY2(r.out.contains("captions: 2 added"), r.out.constData());
        const CliResult s = runCli({"search", "--workspace", path("ws-coco"), "--text", "a shape", "--target",
                                    "captions", "-k", "5", "--json"});
        QVERIFY2(s.exitCode == 0, s.err.constData());
        QCOMPARE(QJsonDocument::fromJson(s.out).object()["results"].toArray().size(), 2);
    }

    void malformedCaptionLinesStrictAndLenient()
    {
        const std::string csv = writeTestFile(dir_, "bad/captions.csv",
                                              "path,caption\n000001.png,fine\n000002.png\n000003.png,also fine\n");
        const QString ws = path("ws-bad");
        CliResult r = runCli(indexArgs(ws) + QStringList{"--captions", QString::fromStdString(csv)});
        QCOMPARE(r.exitCode, 1);
        VERIFY_CONTAINS(QString::fromUtf8(r.err), "captions.csv line 3");
        QVERIFY(!QFileInfo::exists(ws + "/galleries/default/gallery.sqlite"));

        r = runCli(indexArgs(ws) + QStringList{"--captions", QString::fromStdString(csv), "--lenient"});
        QVERIFY2(r.exitCode == 2, qPrintable(text(r)));
        VERIFY_CONTAINS(QString::fromUtf8(r.err), QString::fromStdString(csv) + ":3: expected 2 columns");
        QVERIFY2(r.out.contains("captions: 2 added"), r.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestGalleryImport)
#include "test_gallery_import.moc"

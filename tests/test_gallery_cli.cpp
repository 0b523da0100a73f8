// The gallery through the CLI, as a user runs it: xbt index (summary, exit
// codes, kill -9 and SIGTERM mid-run then resume, the workspace lock), xbt
// search (table, --json shape, non-UTF-8 names, the model lock) and
// xbt galleries (list, rename, delete). Uses tiny models trained here.
#include "core/gallery/GalleryFiles.h"
#include "core/gallery/GalleryStore.h"
#include "core/workspace/Workspace.h"
#include "tests/TestSupport.h"

#include <QElapsedTimer>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <fcntl.h>
#include <set>
#include <unistd.h>

using namespace xbt::test;

namespace {

QByteArray tinyRecipe(const char* name, int seed)
{
    return QByteArray(R"({
  "name": ")") + name + R"(",
  "embedding_dim": 16,
  "image": {"tower": "cnn-spatial", "resolution": 32, "channels": [8, 16], "blocks_per_stage": 0},
  "text": {"tower": "bag-of-words", "width": 16, "context_length": 40},
  "data": {"train_split": "train-base", "train_count": 64, "val_count": 16, "seed": )" +
           QByteArray::number(seed) + R"(},
  "training": {"epochs": 1, "batch_size": 16, "learning_rate": 0.003, "warmup_steps": 1, "threads": 2}
})";
}

// Embedded rows of a gallery, read while (or after) another process writes.
int64_t embeddedCount(const QString& workspace, const std::string& gallery = "default")
{
    const std::string db = workspace.toStdString() + "/galleries/" + gallery + "/gallery.sqlite";
    if (!QFileInfo::exists(QString::fromStdString(db)))
        return 0;
    try {
        return xbt::GalleryStore::open(db, xbt::GalleryStore::Mode::ReadOnly).counts().embedded;
    } catch (const std::exception&) {
        return 0;  // created but not yet initialised
    }
}

}  // namespace

class TestGalleryCli : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString model_;
    QString otherModel_;
    QString small_;   // 20 images, a corrupt one and a non-UTF-8 name
    QString big_;     // 300 large noisy JPEGs: slow enough to interrupt mid-run

    QString trainModel(const char* name, int seed)
    {
        QFile recipe(dir_.filePath(QString(name) + ".json"));
        if (!recipe.open(QIODevice::WriteOnly))
            return {};
        recipe.write(tinyRecipe(name, seed));
        recipe.close();
        const QString out = dir_.filePath(name);
        const CliResult r = runCli({"train-base", "--config", recipe.fileName(), "--out", out});
        return r.exitCode == 0 ? out : QString();
    }

    QStringList indexArgs(const QString& folder, const QString& ws) const
    {
        return {"index", folder, "--model", model_, "--workspace", ws};
    }

    // Starts `xbt index` on the 300 large images and waits until `rows` are committed.
    bool startIndexing(QProcess& p, const QString& ws, int64_t rows)
    {
        p.start(cliPath(), indexArgs(big_, ws) + QStringList{"--batch-size", "8", "--threads", "1"});
        if (!p.waitForStarted(10000))
            return false;
        QElapsedTimer t;
        t.start();
        while (embeddedCount(ws) < rows && p.state() == QProcess::Running && t.elapsed() < 120000)
            QThread::msleep(5);
        return p.state() == QProcess::Running;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        model_ = trainModel("tiny-old", 1);
        otherModel_ = trainModel("tiny-other", 2);
        QVERIFY(!model_.isEmpty() && !otherModel_.isEmpty());
        small_ = dir_.filePath("small");
        QCOMPARE(runCli({"sample", "generate", "--split", "test", "--count", "20", "--out", small_}).exitCode, 0);
        QFile bad(small_ + "/broken.jpg");
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("plain text, not a JPEG");
        bad.close();
        QVERIFY(QFile::copy(small_ + "/000003.png", small_ + "/copy.png"));
        big_ = dir_.filePath("big");
        QVERIFY(QDir().mkpath(big_));
        for (int variant = 0; variant < 3; ++variant) {
            QImage noise(1000, 750, QImage::Format_RGB888);
            QRandomGenerator rng(static_cast<quint32>(variant + 1));
            for (int y = 0; y < noise.height(); ++y)
                rng.fillRange(reinterpret_cast<quint32*>(noise.scanLine(y)), noise.width() * 3 / 4);
            const QString first = big_ + QStringLiteral("/v%1-000.jpg").arg(variant);
            QVERIFY(noise.save(first, "JPEG", 90));
            for (int copy = 1; copy < 100; ++copy)
                QVERIFY(QFile::copy(first, big_ + QStringLiteral("/v%1-%2.jpg").arg(variant).arg(copy, 3, 10, QChar('0'))));
        }
        const std::string raw = small_.toStdString() + "/caf\xe9.png";  // Latin-1 e-acute: not UTF-8
        QVERIFY(QFile::rename(small_ + "/copy.png", small_ + "/tmpname.png"));
        QCOMPARE(::rename((small_.toStdString() + "/tmpname.png").c_str(), raw.c_str()), 0);
    }

    void cleanupTestCase() { ::unlink((small_.toStdString() + "/caf\xe9.png").c_str()); }

    void indexPrintsASummaryAndExitCodes()
    {
        const QString ws = dir_.filePath("ws-summary");
        CliResult r = runCli(indexArgs(small_, ws) + QStringList{"--captions", small_ + "/captions.tsv"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.out.contains("indexed 21 (new 21, changed 0), unchanged 0, removed 0, failed 1"), r.out.constData());
        QVERIFY2(r.out.contains("failed: broken.jpg: "), r.out.constData());
        QVERIFY(r.out.contains("images/s"));
        QVERIFY(r.out.contains("captions: 100 added"));
        r = runCli(indexArgs(small_, ws));
        QCOMPARE(r.exitCode, 2);  // the broken file is still not indexed
        QVERIFY2(r.out.contains("indexed 0 (new 0, changed 0), unchanged 21, removed 0, failed 1"), r.out.constData());
        QVERIFY(r.out.contains("(earlier run; retried when the file changes)"));
        r = runCli(indexArgs(small_, ws) + QStringList{"--exclude", "broken.jpg"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("removed 1, failed 0"), r.out.constData());
        // Side information for what is indexed, with nothing embedded again.
        r = runCli(indexArgs(small_, ws) + QStringList{"--side-information"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("indexed 0 (new 0") &&
                     r.out.contains("side information: 21 images and 100 captions given theirs, 0 images skipped"),
                 r.out.constData());
        r = runCli({"galleries", "--workspace", ws});
        QVERIFY2(r.out.contains("side information: 21 of 21 images, 100 of 100 captions"), r.out.constData());
        r = runCli({"index", small_, "--model", otherModel_, "--workspace", ws});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("tiny-old") && r.err.contains("tiny-other"), r.err.constData());
    }

    // The exit codes of the no-data-loss rules: an empty root is refused
    // (1, the gallery untouched), a folder that cannot be listed keeps its
    // items and makes the run partial (2).
    void emptyRootRefusedUnreadableFolderPartial()
    {
        const QString folder = dir_.filePath("drive");
        QVERIFY(QDir().mkpath(folder + "/sub"));
        for (const char* name : {"000001.png", "000002.png"})
            QVERIFY(QFile::copy(small_ + "/" + name, folder + "/" + name));
        for (const char* name : {"000004.png", "000005.png"})
            QVERIFY(QFile::copy(small_ + "/" + name, folder + "/sub/" + name));
        const QString ws = dir_.filePath("ws-drive");
        QCOMPARE(runCli(indexArgs(folder, ws)).exitCode, 0);

        QVERIFY(QFile::setPermissions(folder + "/sub", QFileDevice::Permissions()));
        CliResult r = runCliWithPermissions(indexArgs(folder, ws));
        QVERIFY(QFile::setPermissions(folder + "/sub", QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                           QFileDevice::ExeOwner));
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.out.contains("removed 0") && r.out.contains("not scanned: sub") &&
                     r.out.contains("kept 2 items under folders that could not be scanned"),
                 r.out.constData());
        QCOMPARE(embeddedCount(ws), int64_t(4));

        QVERIFY(QDir(folder).removeRecursively());
        QVERIFY(QDir().mkpath(folder));
        r = runCli(indexArgs(folder, ws));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no image files found") && r.err.contains("--allow-empty-root"), r.err.constData());
        QCOMPARE(embeddedCount(ws), int64_t(4));
        r = runCli(indexArgs(folder, ws) + QStringList{"--allow-empty-root"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("removed 4"), r.out.constData());
        QCOMPARE(embeddedCount(ws), int64_t(0));
    }

    void killedRunResumesWithoutLossOrDuplicates()
    {
        const QString ws = dir_.filePath("ws-kill");
        QProcess p;
        QVERIFY2(startIndexing(p, ws, 24), "the index run ended before it could be killed");
        p.kill();  // SIGKILL
        QVERIFY(p.waitForFinished(10000));
        const int64_t committed = embeddedCount(ws);
        QVERIFY2(committed >= 24 && committed < 300, qPrintable(QString::number(committed)));
        QCOMPARE(committed % 8, int64_t(0));  // whole batches only

        const CliResult r = runCli(indexArgs(big_, ws));
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains(QByteArray("indexed ") + QByteArray::number(300 - committed) + " (new " +
                                QByteArray::number(300 - committed)),
                 r.out.constData());
        QVERIFY(r.out.contains("unchanged " + QByteArray::number(committed)));
        const xbt::GalleryStore store = xbt::GalleryStore::open(
            ws.toStdString() + "/galleries/default/gallery.sqlite", xbt::GalleryStore::Mode::ReadOnly);
        std::set<std::string> paths;
        for (const xbt::StoredItem& item : store.items()) {
            QCOMPARE(item.status, xbt::ItemStatus::Embedded);
            paths.insert(item.path);
        }
        QCOMPARE(store.items().size(), size_t(300));
        QCOMPARE(paths.size(), size_t(300));
        QCOMPARE(store.imageVectors().ids.size(), size_t(300));

        // The index agrees: a whole-gallery search returns every image once.
        const CliResult s = runCli({"search", "--workspace", ws, "--text", "a red circle", "-k", "1000", "--json"});
        QVERIFY2(s.exitCode == 0, s.err.constData());
        const QJsonArray results = QJsonDocument::fromJson(s.out).object()["results"].toArray();
        QCOMPARE(results.size(), 300);
        std::set<QString> found;
        for (const QJsonValue& v : results)
            found.insert(v.toObject()["path"].toString());
        QCOMPARE(found.size(), size_t(300));
    }

    // xbt backfill killed at any moment (here: mid-run, SIGKILL) loses at
    // most its batch in flight; the rerun backfills every image exactly once.
    void killedBackfillResumesWithEveryImageOnce()
    {
        const QString ws = dir_.filePath("ws-kill");  // 300 large images, indexed above
        QCOMPARE(embeddedCount(ws), int64_t(300));
        const std::string db = ws.toStdString() + "/galleries/default/gallery.sqlite";
        auto backfilled = [&] {
            try {
                return xbt::GalleryStore::open(db, xbt::GalleryStore::Mode::ReadOnly).secondSpaceCounts().images;
            } catch (const std::exception&) {
                return int64_t(0);
            }
        };
        const QStringList args{"backfill", "--workspace", ws, "--model", otherModel_, "--batch-size", "8", "--threads", "1"};
        QProcess p;
        p.start(cliPath(), args);
        QVERIFY(p.waitForStarted(10000));
        QElapsedTimer t;
        t.start();
        while (backfilled() < 24 && p.state() == QProcess::Running && t.elapsed() < 120000)
            QThread::msleep(5);
        QVERIFY2(p.state() == QProcess::Running, "the backfill ended before it could be killed");
        p.kill();
        QVERIFY(p.waitForFinished(10000));
        const int64_t committed = backfilled();
        QVERIFY2(committed >= 24 && committed < 300, qPrintable(QString::number(committed)));
        QCOMPARE(committed % 8, int64_t(0));  // whole batches only

        const CliResult r = runCli(args);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        VERIFY_CONTAINS(QString::fromUtf8(r.out), QStringLiteral("backfilled %1 images").arg(300 - committed));
        QCOMPARE(backfilled(), int64_t(300));
        const CliResult again = runCli(args);
        QCOMPARE(again.exitCode, 0);
        VERIFY_CONTAINS(QString::fromUtf8(again.out), "backfilled 0 images (nothing left to do)");
        // The gallery's own model has nothing to backfill; the store takes no other model.
        const CliResult own = runCli({"backfill", "--workspace", ws, "--model", model_});
        QVERIFY(own.exitCode != 0);
        VERIFY_CONTAINS(QString::fromUtf8(own.err), "nothing to backfill");
    }

    void interruptCommitsAndExitsCleanly()
    {
        const QString ws = dir_.filePath("ws-term");
        QProcess p;
        QVERIFY2(startIndexing(p, ws, 16), "the index run ended before it could be interrupted");
        p.terminate();  // SIGTERM, handled like Ctrl-C
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 1);
        QVERIFY(p.readAllStandardError().contains("Run the same command again to continue"));
        const int64_t committed = embeddedCount(ws);
        QVERIFY(committed >= 16 && committed < 300);
        const CliResult r = runCli(indexArgs(big_, ws));
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(embeddedCount(ws), int64_t(300));
    }

    void secondWriterIsRefusedWithThePid()
    {
        // This test process holds the gallery's writer lock, as a running xbt index would.
        const QString ws = dir_.filePath("ws-lock");
        QCOMPARE(runCli(indexArgs(small_, ws)).exitCode, 2);
        const QByteArray pid = QByteArray::number(::getpid());
        CliResult second;
        CliResult del;
        CliResult list;
        CliResult other;
        {
            const xbt::Workspace workspace = xbt::Workspace::open(ws.toStdString(), xbt::Workspace::Mode::ReadWrite);
            const xbt::WorkspaceLock holder = workspace.lockGallery("default");
            second = runCli(indexArgs(small_, ws));
            del = runCli({"galleries", "--workspace", ws, "--delete", "default"});
            list = runCli({"galleries", "--workspace", ws});  // reading is allowed meanwhile
            // So is writing another gallery of the workspace.
            other = runCli(indexArgs(small_, ws) + QStringList{"--gallery", "other"});
        }
        QCOMPARE(second.exitCode, 1);
        QVERIFY2(second.err.contains("gallery 'default' in workspace " + QFileInfo(ws).absoluteFilePath().toUtf8() +
                                     " is in use by process " + pid + " ("),
                 second.err.constData());
        QCOMPARE(del.exitCode, 1);
        QVERIFY2(del.err.contains("is in use by process " + pid), del.err.constData());
        QCOMPARE(list.exitCode, 0);
        QVERIFY(list.out.contains("default"));
        QCOMPARE(other.exitCode, 2);
        QVERIFY2(other.out.contains("indexed 21"), other.out.constData());
        // Released with its holder.
        QCOMPARE(runCli(indexArgs(small_, ws)).exitCode, 2);
    }

    void searchJsonShapeAndEscapedNames()
    {
        const QString ws = dir_.filePath("ws-json");
        QCOMPARE(runCli(indexArgs(small_, ws) + QStringList{"--captions", small_ + "/captions.tsv"}).exitCode, 2);
        CliResult r = runCli({"search", "--workspace", ws, "--text", "a blue square", "-k", "100", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(r.out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, r.out.constData());
        const QJsonObject o = doc.object();
        QCOMPARE(o["gallery"].toString(), QStringLiteral("default"));
        QCOMPARE(o["root"].toString(), QFileInfo(small_).canonicalFilePath());
        QVERIFY(!o.contains("incompatible_comparison"));
        const QJsonArray results = o["results"].toArray();
        QCOMPARE(results.size(), 21);  // k beyond the gallery: all of it
        bool escaped = false;
        double previous = 2.0;
        for (int i = 0; i < results.size(); ++i) {
            const QJsonObject hit = results[i].toObject();
            QCOMPARE(hit["rank"].toInt(), i + 1);
            QVERIFY(hit.contains("id") && hit.contains("path") && !hit.contains("caption"));
            QVERIFY(hit["score"].toDouble() <= previous + 1e-6);
            previous = hit["score"].toDouble();
            escaped = escaped || hit["path"].toString() == QStringLiteral("caf\\xe9.png");
        }
        QVERIFY2(escaped, r.out.constData());

        // An image query ranks captions by default.
        r = runCli({"search", "--workspace", ws, "--image", small_ + "/000001.png", "-k", "5", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonArray captions = QJsonDocument::fromJson(r.out).object()["results"].toArray();
        QCOMPARE(captions.size(), 5);
        QVERIFY(!captions[0].toObject()["caption"].toString().isEmpty());
        QVERIFY(captions[0].toObject()["path"].toString().endsWith(".png"));

        // Human output: a ranked table.
        r = runCli({"search", "--workspace", ws, "--text", "a blue square", "-k", "3"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("rank") && r.out.contains("   1  "));
    }

    void foreignModelIsRefusedUnlessAllowed()
    {
        const QString ws = dir_.filePath("ws-foreign");
        QCOMPARE(runCli(indexArgs(small_, ws)).exitCode, 2);
        CliResult r = runCli({"search", "--workspace", ws, "--text", "a red circle", "--model", otherModel_});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("tiny-old") && r.err.contains("tiny-other"), r.err.constData());
        r = runCli({"search", "--workspace", ws, "--text", "a red circle", "--model", otherModel_,
                    "--allow-incompatible", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(QJsonDocument::fromJson(r.out).object()["incompatible_comparison"].toBool());
        r = runCli({"search", "--workspace", ws, "--text", "a red circle", "--model", otherModel_,
                    "--allow-incompatible"});
        QVERIFY(r.out.contains("incompatible comparison"));
    }

    // A full disk is reported as one, never as a damaged gallery to delete.
    // The disk is made "full" with a file size limit of 0 (SQLite cannot
    // create the shared-memory file a reader of a WAL database needs).
    void fullDiskIsNotCalledCorrupt()
    {
        const QString ws = dir_.filePath("ws-full");
        QCOMPARE(runCli(indexArgs(small_, ws)).exitCode, 2);
        const auto limited = [&](const QStringList& args) {
            QProcess p;
            p.start("bash", QStringList{"-c", "trap '' XFSZ; ulimit -f 0; exec \"$0\" \"$@\"", cliPath()} + args);
            p.waitForFinished(120000);
            return std::pair<int, QByteArray>(p.exitCode(), p.readAllStandardOutput() + p.readAllStandardError());
        };
        const auto [listCode, list] = limited({"galleries", "--workspace", ws});
        QCOMPARE(listCode, 2);
        QVERIFY2(list.contains("cannot be read") && list.contains("input/output error") && !list.contains("delete"),
                 list.constData());
        const auto [searchCode, search] = limited({"search", "--workspace", ws, "--text", "red"});
        QCOMPARE(searchCode, 1);
        QVERIFY2(!search.contains("not a gallery") && !search.contains("delete"), search.constData());
        // Space again: the gallery was never harmed.
        QCOMPARE(runCli({"search", "--workspace", ws, "--text", "red"}).exitCode, 0);
    }

    void galleriesAreListedRenamedAndDeleted()
    {
        const QString ws = dir_.filePath("ws-list");
        CliResult r = runCli(indexArgs(small_, ws) + QStringList{"--gallery", "photos", "--index", "ivf"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.out.contains("index: ivf, 21 vectors, nlist 1, nprobe 1, recall@10 vs exact search 1.000"),
                 r.out.constData());
        r = runCli({"galleries", "--workspace", ws});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("photos") && r.out.contains("tiny-old") && r.out.contains("ivf"), r.out.constData());
        QVERIFY(r.out.contains(" 21 ") && r.out.contains(" 1 "));
        QCOMPARE(runCli({"galleries", "--workspace", ws, "--rename", "photos", "holiday"}).exitCode, 0);
        r = runCli({"galleries", "--workspace", ws});
        QVERIFY(r.out.contains("holiday") && !r.out.contains("photos"));
        QCOMPARE(runCli({"search", "--workspace", ws, "--gallery", "holiday", "--text", "red"}).exitCode, 0);
        QCOMPARE(runCli({"galleries", "--workspace", ws, "--delete", "holiday"}).exitCode, 0);
        r = runCli({"galleries", "--workspace", ws});
        QVERIFY(r.out.contains("no galleries"));
        r = runCli({"search", "--workspace", ws, "--gallery", "holiday", "--text", "red"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("does not exist"));
    }
};

QTEST_GUILESS_MAIN(TestGalleryCli)
#include "test_gallery_cli.moc"

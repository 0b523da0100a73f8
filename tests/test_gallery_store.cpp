// The gallery's storage layer: workspace folder, schema version and writer
// lock; the SQLite store (precision, generations, cascades); the FAISS index
// caches (exact against brute force, IVF recall, stale files rebuilt); the
// thumbnail cache and the UTF-8 escaping of file names.
#include "core/eval/RetrievalRecall.h"
#include "core/gallery/GalleryIndex.h"
#include "core/gallery/GalleryStore.h"
#include "core/gallery/ThumbnailCache.h"
#include "core/util/Utf8.h"
#include "core/workspace/Workspace.h"
#include "core/util/Error.h"
#include "core/util/Half.h"
#include "core/util/FileUtil.h"
#include "tests/GalleryTestSupport.h"
#include "tests/TestSupport.h"

#include <QImage>
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <numeric>
#include <random>
#include <limits>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace xbt;
using namespace xbt::test;

namespace {

GallerySettings settingsFor(int dim, VectorPrecision precision)
{
    GallerySettings s;
    s.root = "/photos";
    s.modelName = "double";
    s.modelSpec = "double";
    s.modelFingerprint = std::string(64, 'a');
    s.embeddingDim = dim;
    s.precision = precision;
    return s;
}

std::vector<float> rowOf(const Matrix& m, int64_t i) { return {m.row(i), m.row(i) + m.cols}; }

ItemUpdate embeddedItem(const std::string& path, const std::vector<float>& v)
{
    ItemUpdate u;
    u.path = path;
    u.size = 10;
    u.mtimeNs = 20;
    u.contentHash = "hash-" + path;
    u.status = ItemStatus::Embedded;
    u.madeBy = std::string(64, 'a');
    u.embedding = v;
    return u;
}

}  // namespace

class TestGalleryStore : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;

    std::string path(const QString& name) const { return dir_.filePath(name).toStdString(); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void workspaceIsCreatedWithItsLayout()
    {
        const Workspace ws = Workspace::open(path("ws1"), Workspace::Mode::ReadWrite);
        for (const char* sub : {"galleries", "adapters", "cache/thumbnails", "results"})
            QVERIFY2(QFileInfo(dir_.filePath(QStringLiteral("ws1/") + sub)).isDir(), sub);
        QFile manifest(dir_.filePath("ws1/workspace.json"));
        QVERIFY(manifest.open(QIODevice::ReadOnly));
        QVERIFY(manifest.readAll().contains("\"schema_version\": 1"));
        QVERIFY(ws.writable());
        QVERIFY(ws.galleries().empty());
    }

    void otherSchemaVersionsAreRefused()
    {
        QVERIFY(QDir().mkpath(dir_.filePath("future")));
        QFile f(dir_.filePath("future/workspace.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"schema_version\": 7}");
        f.close();
        try {
            Workspace::open(path("future"), Workspace::Mode::ReadOnly);
            QFAIL("a newer workspace must be refused");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("newer xbt"), e.what());
        }
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("{\"schema_version\": 0}");
        f.close();
        QVERIFY_EXCEPTION_THROWN(Workspace::open(path("future"), Workspace::Mode::ReadWrite), Error);
    }

    void aNonEmptyFolderIsNotTakenOver()
    {
        QVERIFY(QDir().mkpath(dir_.filePath("busy")));
        QFile f(dir_.filePath("busy/notes.txt"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        QVERIFY_EXCEPTION_THROWN(Workspace::open(path("busy"), Workspace::Mode::ReadWrite), Error);
    }

    void secondWriterIsRefusedWithThePid()
    {
        Workspace ws = Workspace::open(path("locked"), Workspace::Mode::ReadWrite);
        const WorkspaceLock first = ws.lockGallery("photos");
        try {
            const WorkspaceLock second = ws.lockGallery("photos");
            QFAIL("the second writer must be refused");
        } catch (const Error& e) {
            const QString msg = e.what();
            QVERIFY2(msg.contains("gallery 'photos' in workspace " + QString::fromStdString(ws.dir()) +
                                  " is in use by process " + QString::number(::getpid())),
                     e.what());
        }
        // Locks are per thing written: another gallery, or an adapter of
        // the same name, are free meanwhile; so are readers.
        const WorkspaceLock other = ws.lockGallery("holiday");
        const WorkspaceLock adapter = ws.lockAdapter("photos");
        const Workspace reader = Workspace::open(path("locked"), Workspace::Mode::ReadOnly);
        QVERIFY(!reader.writable());
        QVERIFY_EXCEPTION_THROWN(ws.deleteGallery("photos"), Error);
    }

    void lockIsReleasedWithTheObject()
    {
        const Workspace ws = Workspace::open(path("released"), Workspace::Mode::ReadWrite);
        { const WorkspaceLock held = ws.lockGallery("g"); }
        const WorkspaceLock again = ws.lockGallery("g");
        QVERIFY(ws.writable());
    }

    // A link at a lock file, or at one of the workspace's own folders, is
    // refused: nothing is written through it.
    void linksInTheWorkspaceAreRefused()
    {
        const Workspace ws = Workspace::open(path("links"), Workspace::Mode::ReadWrite);
        const std::string victim = path("victim.txt");
        writeFileAtomic(victim, "precious\n");
        QCOMPARE(::symlink(victim.c_str(), (ws.dir() + "/locks/gallery-g.lock").c_str()), 0);
        VERIFY_CONTAINS(errorOf([&] { ws.lockGallery("g"); }), QStringLiteral("symbolic link"));
        QCOMPARE(QString::fromStdString(readFileBytes(victim)), QStringLiteral("precious\n"));

        QVERIFY(QDir().mkpath(dir_.filePath("elsewhere")));
        QVERIFY(QDir(QString::fromStdString(ws.dir() + "/cache/embeddings")).removeRecursively());
        QCOMPARE(::symlink(path("elsewhere").c_str(), (ws.dir() + "/cache/embeddings").c_str()), 0);
        const QString error = errorOf([&] { Workspace::open(path("links"), Workspace::Mode::ReadOnly); });
        VERIFY_CONTAINS(error, QStringLiteral("cache/embeddings is a symbolic link"));
        VERIFY_CONTAINS(errorOf([&] { Workspace::open(path("links"), Workspace::Mode::ReadWrite); }),
                        QStringLiteral("real folders inside it"));
    }

    void namesWithSurroundingSpacesAreRefused()
    {
        VERIFY_CONTAINS(errorOf([] { Workspace::checkName("gallery", "default "); }), QStringLiteral("space"));
        VERIFY_CONTAINS(errorOf([] { Workspace::checkName("gallery", " default"); }), QStringLiteral("space"));
        VERIFY_CONTAINS(errorOf([] { Workspace::checkName("gallery", std::string("a\x1b[31mb")); }),
                        QStringLiteral("control characters"));
        QVERIFY(errorOf([] { Workspace::checkName("gallery", "my photos"); }).isEmpty());
    }

    void galleriesAreRenamedAndDeleted()
    {
        Workspace ws = Workspace::open(path("ws-rename"), Workspace::Mode::ReadWrite);
        QVERIFY(QDir().mkpath(QString::fromStdString(ws.galleryDir("one"))));
        GalleryStore::create(ws.galleryDir("one") + "/gallery.sqlite", settingsFor(4, VectorPrecision::Float32));
        QVERIFY(QDir().mkpath(QString::fromStdString(ws.thumbnailDir() + "/one")));
        QCOMPARE(ws.galleries(), std::vector<std::string>{"one"});
        ws.renameGallery("one", "two");
        QCOMPARE(ws.galleries(), std::vector<std::string>{"two"});
        QVERIFY(QFileInfo(QString::fromStdString(ws.thumbnailDir() + "/two")).isDir());
        QVERIFY_EXCEPTION_THROWN(ws.renameGallery("missing", "x"), Error);
        QVERIFY_EXCEPTION_THROWN(ws.renameGallery("two", "../escape"), Error);
        ws.deleteGallery("two");
        QVERIFY(ws.galleries().empty());
        QVERIFY(!QFileInfo::exists(QString::fromStdString(ws.thumbnailDir() + "/two")));
        Workspace reader = Workspace::open(path("ws-rename"), Workspace::Mode::ReadOnly);
        QVERIFY_EXCEPTION_THROWN(reader.deleteGallery("x"), Error);
    }

    void float16RoundTripAndGenerations()
    {
        const std::string db = path("f16.sqlite");
        GalleryStore store = GalleryStore::create(db, settingsFor(8, VectorPrecision::Float16));
        const int64_t g0 = store.generation();
        const Matrix m = randomUnitRows(3, 8, 1);
        const CommitResult r =
            store.commitItems({embeddedItem("a.png", rowOf(m, 0)), embeddedItem("b.png", rowOf(m, 1))});
        QCOMPARE(r.itemIds.size(), size_t(2));
        QCOMPARE(store.generation(), g0 + 1);

        const GalleryStore reopened = GalleryStore::open(db, GalleryStore::Mode::ReadOnly);
        QCOMPARE(reopened.settings().precision, VectorPrecision::Float16);
        const StoredVectors v = reopened.imageVectors();
        QCOMPARE(v.vectors.rows, int64_t(2));
        for (int64_t i = 0; i < 2; ++i)
            for (int64_t j = 0; j < 8; ++j) {
                // Exactly the float16 value of what was stored.
                QCOMPARE(v.vectors.at(i, j), halfToFloat(floatToHalf(m.at(i, j))));
                QVERIFY(std::abs(v.vectors.at(i, j) - m.at(i, j)) < 1e-3f);
            }
        QFileInfo info(QString::fromStdString(db));
        QVERIFY(info.size() > 0);
    }

    // Only a file proven not to be a gallery gets "delete it" advice; a
    // damaged one, a folder or a FIFO is named for what it is. Non-finite
    // embeddings are never stored.
    void damagedOrForeignDatabasesSayWhatTheyAre()
    {
        const std::string db = path("damaged.sqlite");
        {
            GalleryStore store = GalleryStore::create(db, settingsFor(64, VectorPrecision::Float32));
            std::vector<ItemUpdate> items;
            const Matrix m = randomUnitRows(400, 64, 3);
            for (int64_t i = 0; i < m.rows; ++i)
                items.push_back(embeddedItem("img" + std::to_string(i) + ".png", rowOf(m, i)));
            store.commitItems(items);
        }
        const std::string content = readFileBytes(db);
        const std::string truncated = path("truncated.sqlite");
        writeFileAtomic(truncated, content.substr(0, content.size() / 2));
        QString error = errorOf([&] { GalleryStore::open(truncated, GalleryStore::Mode::ReadOnly).imageVectors(); });
        QVERIFY2(!error.isEmpty() && !error.contains("not a gallery") && !error.contains("delete"), qPrintable(error));
        VERIFY_CONTAINS(error, QStringLiteral("restore it from a backup"));

        const std::string foreign = path("foreign.sqlite");
        {
            GalleryStore store = GalleryStore::create(foreign, settingsFor(4, VectorPrecision::Float32));
        }
        sqlite3* handle = nullptr;
        QCOMPARE(sqlite3_open(foreign.c_str(), &handle), SQLITE_OK);
        QCOMPARE(sqlite3_exec(handle, "DROP TABLE meta", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(handle);
        error = errorOf([&] { GalleryStore::open(foreign, GalleryStore::Mode::ReadOnly); });
        VERIFY_CONTAINS(error, QStringLiteral("not a gallery database"));

        QVERIFY(QDir().mkpath(dir_.filePath("folder.sqlite")));
        VERIFY_CONTAINS(errorOf([&] { GalleryStore::open(path("folder.sqlite"), GalleryStore::Mode::ReadOnly); }),
                        QStringLiteral("is a folder"));
        QCOMPARE(::mkfifo(path("fifo.sqlite").c_str(), 0600), 0);
        VERIFY_CONTAINS(errorOf([&] { GalleryStore::open(path("fifo.sqlite"), GalleryStore::Mode::ReadOnly); }),
                        QStringLiteral("FIFO"));

        GalleryStore store = GalleryStore::open(db, GalleryStore::Mode::ReadWrite);
        std::vector<float> nan(64, 0.0f);
        nan[3] = std::numeric_limits<float>::quiet_NaN();
        VERIFY_CONTAINS(errorOf([&] { store.commitItems({embeddedItem("nan.png", nan)}); }),
                        QStringLiteral("NaN or infinite"));
        QCOMPARE(store.counts().embedded, int64_t(400));
    }

    void captionsGoWithTheirItem()
    {
        GalleryStore store = GalleryStore::create(path("cascade.sqlite"), settingsFor(4, VectorPrecision::Float32));
        const Matrix m = randomUnitRows(4, 4, 2);
        const CommitResult items =
            store.commitItems({embeddedItem("a.png", rowOf(m, 0)), embeddedItem("b.png", rowOf(m, 1))});
        CaptionSet set;
        set.itemId = items.itemIds[0];
        set.texts = {"first", "second"};
        set.embeddings = randomUnitRows(2, 4, 3);
        set.madeBy = "model";
        const CommitResult added = store.replaceCaptions({set});
        QCOMPARE(added.addedCaptionIds.size(), size_t(2));
        QCOMPARE(store.counts().captions, int64_t(2));
        QCOMPARE(QString::fromStdString(store.caption(added.addedCaptionIds[1])->text), QStringLiteral("second"));

        const CommitResult removed = store.removeItems({items.itemIds[0]});
        QCOMPARE(removed.removedCaptionIds, added.addedCaptionIds);
        QCOMPARE(store.counts().captions, int64_t(0));
        QCOMPARE(store.counts().embedded, int64_t(1));
        // Ids are never reused: a stale index can never point at another file.
        const CommitResult again = store.commitItems({embeddedItem("c.png", rowOf(m, 2))});
        QVERIFY(again.itemIds[0] > items.itemIds[1]);
    }

    void failedItemsKeepTheirReason()
    {
        GalleryStore store = GalleryStore::create(path("failed.sqlite"), settingsFor(4, VectorPrecision::Float32));
        ItemUpdate u;
        u.path = "bad.jpg";
        u.contentHash = "h";
        u.status = ItemStatus::Failed;
        u.error = "corrupt: truncated";
        store.commitItems({u});
        const std::vector<StoredItem> items = store.items();
        QCOMPARE(items.size(), size_t(1));
        QCOMPARE(items[0].status, ItemStatus::Failed);
        QCOMPARE(QString::fromStdString(items[0].error), QStringLiteral("corrupt: truncated"));
        QCOMPARE(store.counts().failed, int64_t(1));
        QVERIFY(store.imageVectors().ids.empty());
    }

    void flatSearchEqualsBruteForce()
    {
        GalleryStore store = GalleryStore::create(path("flat.sqlite"), settingsFor(16, VectorPrecision::Float32));
        const Matrix m = randomUnitRows(200, 16, 4);
        std::vector<ItemUpdate> updates;
        for (int64_t i = 0; i < m.rows; ++i)
            updates.push_back(embeddedItem("img" + std::to_string(i) + ".png", rowOf(m, i)));
        store.commitItems(updates);
        const StoredVectors stored = store.imageVectors();
        const GalleryIndex::Config config{path("flat.faiss"), 16, IndexType::Flat, 0, 0};
        GalleryIndex index = GalleryIndex::loadOrBuild(config, store.generation(), [&] { return stored; });
        QVERIFY(index.report().rebuilt);
        const Matrix queries = randomUnitRows(5, 16, 5);
        for (int64_t q = 0; q < queries.rows; ++q) {
            const std::vector<float> query = rowOf(queries, q);
            const auto idsOf = [](const std::vector<IndexHit>& hits) {
                std::vector<int64_t> ids;
                for (const IndexHit& h : hits)
                    ids.push_back(h.id);
                return ids;
            };
            const std::vector<IndexHit> top = index.search(query.data(), 10);
            QCOMPARE(top.size(), size_t(10));
            std::string differs = differsFromBruteForce(stored, query, idsOf(top));
            QVERIFY2(differs.empty(), differs.c_str());
            // More than the gallery: all of it, ranked.
            const std::vector<IndexHit> all = index.search(query.data(), 1000);
            QCOMPARE(all.size(), size_t(200));
            differs = differsFromBruteForce(stored, query, idsOf(all));
            QVERIFY2(differs.empty(), differs.c_str());
        }
        // Saved with the generation, the file is loaded instead of rebuilt;
        // once the store moves on, it is stale and rebuilt.
        index.save(store.generation());
        const GalleryIndex loaded = GalleryIndex::loadOrBuild(config, store.generation(), [&] { return stored; });
        QVERIFY(!loaded.report().rebuilt);
        QCOMPARE(loaded.size(), int64_t(200));
        store.removeItems({stored.ids[0]});
        const GalleryIndex stale =
            GalleryIndex::loadOrBuild(config, store.generation(), [&] { return store.imageVectors(); });
        QVERIFY(stale.report().rebuilt);
        QCOMPARE(stale.size(), int64_t(199));
    }

    void removeAndAddKeepIds()
    {
        const GalleryIndex::Config config{path("ids.faiss"), 8, IndexType::Flat, 0, 0};
        GalleryIndex index = GalleryIndex::loadOrBuild(config, 1, [] { return StoredVectors{{}, Matrix(0, 8)}; });
        const Matrix m = randomUnitRows(3, 8, 6);
        index.add({10, 20, 30}, m);
        index.remove({20});
        QCOMPARE(index.size(), int64_t(2));
        const std::vector<IndexHit> hits = index.search(m.row(2), 5);
        QCOMPARE(hits.size(), size_t(2));
        QCOMPARE(hits[0].id, int64_t(30));
    }

    void ivfReportsRecallAgainstExact()
    {
        const int64_t n = 2000;
        StoredVectors stored;
        stored.vectors = randomUnitRows(n, 32, 7);
        for (int64_t i = 0; i < n; ++i)
            stored.ids.push_back(1000 + i);
        const GalleryIndex::Config config{path("ivf.faiss"), 32, IndexType::Ivf, 0, 0};
        GalleryIndex index = GalleryIndex::loadOrBuild(config, 1, [&] { return stored; });
        const IndexBuildReport& r = index.report();
        QVERIFY(r.rebuilt);
        QCOMPARE(r.type, IndexType::Ivf);
        QVERIFY(r.nlist > 1 && r.nlist <= n / 39);
        QVERIFY(r.nprobe >= 1 && r.nprobe <= r.nlist);
        QVERIFY2(r.recallAt10 > 0.0 && r.recallAt10 <= 1.0, qPrintable(QString::number(r.recallAt10)));
        // Exhaustive when k covers the gallery: identical to brute force.
        const std::vector<float> query = rowOf(stored.vectors, 3);
        const std::vector<IndexHit> all = index.search(query.data(), n);
        QCOMPARE(all.size(), size_t(n));
        QCOMPARE(all.front().id, bruteForceOrder(stored, query).front());
        index.save(5);
        const GalleryIndex loaded = GalleryIndex::loadOrBuild(config, 5, [&] { return stored; });
        QVERIFY(!loaded.report().rebuilt);
        QCOMPARE(loaded.report().recallAt10, r.recallAt10);
    }

    void damagedIndexFileIsRebuilt()
    {
        const GalleryIndex::Config config{path("damaged.faiss"), 4, IndexType::Flat, 0, 0};
        StoredVectors stored{{1, 2}, randomUnitRows(2, 4, 8)};
        GalleryIndex::loadOrBuild(config, 3, [&] { return stored; }).save(3);
        QFile f(QString::fromStdString(config.file));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("garbage");
        f.close();
        const GalleryIndex again = GalleryIndex::loadOrBuild(config, 3, [&] { return stored; });
        QVERIFY(again.report().rebuilt);
        QCOMPARE(again.size(), int64_t(2));
    }

    void thumbnailsAreCachedByContent()
    {
        QImage img(800, 400, QImage::Format_RGB888);
        img.fill(Qt::red);
        const QString source = dir_.filePath("wide.png");
        QVERIFY(img.save(source));
        const ThumbnailCache cache(path("thumbs"));
        const std::string thumb = cache.thumbnail("g", 7, "abcdef0123456789ffff", source.toStdString());
        QVERIFY(QString::fromStdString(thumb).endsWith("/g/7-abcdef0123456789.png"));
        const QImage t(QString::fromStdString(thumb));
        QCOMPARE(t.width(), 256);
        QCOMPARE(t.height(), 128);
        // Cached: served without reading the source again.
        QVERIFY(QFile::remove(source));
        QCOMPARE(cache.thumbnail("g", 7, "abcdef0123456789ffff", source.toStdString()), thumb);
    }

    void invalidUtf8IsEscapedNotDropped()
    {
        QCOMPARE(QString::fromStdString(escapeInvalidUtf8("caf\xc3\xa9/a.png")), QString::fromUtf8("caf\xc3\xa9/a.png"));
        QCOMPARE(QString::fromStdString(escapeInvalidUtf8("bad\xff\xfe.jpg")), QStringLiteral("bad\\xff\\xfe.jpg"));
        QCOMPARE(QString::fromStdString(escapeInvalidUtf8("\xc0\xaf")), QStringLiteral("\\xc0\\xaf"));  // overlong
        QCOMPARE(QString::fromStdString(escapeInvalidUtf8("\xed\xa0\x80")), QStringLiteral("\\xed\\xa0\\x80"));  // surrogate
        QVERIFY(isValidUtf8(escapeInvalidUtf8("x\xe2\x82")));
        QVERIFY(!isValidUtf8("x\xe2\x82"));
    }
};

QTEST_GUILESS_MAIN(TestGalleryStore)
#include "test_gallery_store.moc"

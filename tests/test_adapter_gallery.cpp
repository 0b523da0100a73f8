// An old gallery grows after the upgrade without re-embedding: half a sample
// split is indexed with sample-old, a least-squares adapter new -> old is
// fitted, and the other half is indexed with sample-new + adapter (the old
// model is not used for it). The items say which model and adapter made
// them, old-model text queries find the images added after the upgrade, and
// a gallery of schema 1 stays readable and is migrated.
#include "core/adapt/AdapterInfo.h"
#include "core/adapt/ClosedFormFit.h"
#include "core/adapt/CompatibilityAdapter.h"
#include "core/pipeline/SearchReranker.h"
#include "core/data/CaptionedSplit.h"
#include "core/embed/BatchEmbedder.h"
#include "core/embed/SplitEmbedder.h"
#include "core/gallery/GalleryFiles.h"
#include "core/gallery/GalleryIndexer.h"
#include "core/gallery/GallerySearch.h"
#include "core/gallery/GalleryStore.h"
#include "core/workspace/Workspace.h"
#include "core/model/ModelLoader.h"
#include "core/model/ModelOptions.h"
#include "core/sample/SampleWorldGenerator.h"
#include "core/util/Error.h"
#include "tests/TestSupport.h"

#include <sqlite3.h>

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <map>

using namespace xbt;
using namespace xbt::test;

namespace fs = std::filesystem;

namespace {

constexpr int kImages = 120;

// T2I recall@10 of the given captions (indices into the split) against the
// gallery, counting a hit when the caption's own image is in the top 10.
double recallAt10(const GallerySearch& search, EmbeddingModel& queryModel, const CaptionedSplit& split,
                  const std::vector<size_t>& captions)
{
    SearchOptions o;
    o.k = 10;
    int hits = 0;
    for (size_t c : captions) {
        const std::string& image = split.images[static_cast<size_t>(split.captionImage[c])];
        for (const SearchHit& h : search.byText(queryModel, split.captions[c], o).hits)
            if (h.path == image) {
                ++hits;
                break;
            }
    }
    return captions.empty() ? 0.0 : static_cast<double>(hits) / static_cast<double>(captions.size());
}

void copyImages(const CaptionedSplit& split, size_t begin, size_t end, const std::string& root)
{
    fs::create_directories(root);
    for (size_t i = begin; i < end; ++i)
        fs::copy_file(fs::path(split.root) / split.images[i], fs::path(root) / split.images[i],
                      fs::copy_options::overwrite_existing);
}

// Rows of `m` for the given indices.
Matrix rowsOf(const Matrix& m, const std::vector<size_t>& indices)
{
    std::vector<int64_t> rows(indices.begin(), indices.end());
    return m.selectRows(rows);
}

void execSql(const std::string& database, const char* sql)
{
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(database.c_str(), &db), SQLITE_OK);
    char* message = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
    const QString error = message ? QString::fromUtf8(message) : QString();
    sqlite3_free(message);
    sqlite3_close(db);
    QVERIFY2(rc == SQLITE_OK, qPrintable(error));
}

}  // namespace

class TestAdapterGallery : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    std::string path(const QString& name) const { return tmp_.filePath(name).toStdString(); }

    CaptionedSplit split_;
    std::shared_ptr<EmbeddingModel> oldModel_;
    std::shared_ptr<EmbeddingModel> newModel_;
    std::shared_ptr<const CompatibilityAdapter> adapter_;

private Q_SLOTS:
    void initTestCase()
    {
        SampleWorldOptions world;
        world.outDir = path("split");
        world.split = SampleSplit::Test;
        world.count = kImages;
        world.seed = 3;
        generateSampleWorld(world);
        split_ = loadCaptionedSplit(world.outDir);
        QCOMPARE(split_.images.size(), size_t(kImages));

        ModelOptions options;
        options.device = "cpu";
        oldModel_ = loadModel("sample-old", options);
        newModel_ = loadModel("sample-new", options);

        // The pairs a deployment has after the upgrade: every caption, and
        // the images already in the old gallery (the first half), embedded
        // by both models. The second half's images stay out of the fit.
        EmbedOptions embed;
        embed.batchSize = 32;
        const SplitEmbeddings oldEmb = embedSplit(*oldModel_, split_, embed);
        const SplitEmbeddings newEmb = embedSplit(*newModel_, split_, embed);
        QCOMPARE(oldEmb.embeddedImages.size(), size_t(kImages));
        std::vector<size_t> firstHalf;
        for (size_t i = 0; i < kImages / 2; ++i)
            firstHalf.push_back(i);
        Matrix source = newEmb.texts;
        Matrix target = oldEmb.texts;
        source.appendRows(rowsOf(newEmb.images, firstHalf));
        target.appendRows(rowsOf(oldEmb.images, firstHalf));

        AdapterInfo info;
        info.name = "lstsq";
        info.method = "lstsq";
        info.oldModel = {oldModel_->info().name, oldModel_->fingerprint(), oldModel_->embeddingDim()};
        info.newModel = {newModel_->info().name, newModel_->fingerprint(), newModel_->embeddingDim()};
        ProjectionWeights phi;
        phi.linear = fitLeastSquares(source, target);
        adapter_ = std::make_shared<CompatibilityAdapter>(info, phi);
    }

    void oldGalleryGrowsThroughTheAdapter()
    {
        const std::string root = path("photos");
        copyImages(split_, 0, kImages / 2, root);
        Workspace ws = Workspace::open(path("ws"), Workspace::Mode::ReadWrite);
        IndexRunOptions o;
        o.root = root;
        o.modelSpec = "sample-old";
        QCOMPARE(GalleryIndexer(ws, *oldModel_, o).run().added, int64_t(kImages / 2));

        // After the upgrade: new images arrive, only the new model runs.
        copyImages(split_, kImages / 2, kImages, root);
        const std::unique_ptr<EmbeddingModel> adapted = makeAdaptedModel(newModel_, adapter_, ModelOptions{});
        o.modelSpec = "sample-new";
        const IndexRunSummary grown = GalleryIndexer(ws, *adapted, o).run();
        QCOMPARE(grown.added, int64_t(kImages / 2));
        QCOMPARE(grown.unchanged, int64_t(kImages / 2));
        QVERIFY(grown.failures.empty());

        const GalleryStore store =
            GalleryStore::open(galleryFiles(ws.galleryDir("default")).database, GalleryStore::Mode::ReadOnly);
        // The gallery is still the old model's, search's default model included.
        QCOMPARE(store.settings().modelFingerprint, oldModel_->fingerprint());
        QCOMPARE(QString::fromStdString(store.settings().modelSpec), QStringLiteral("sample-old"));
        std::map<std::string, StoredItem> byPath;
        for (const StoredItem& item : store.items())
            byPath[item.path] = item;
        QCOMPARE(byPath.size(), size_t(kImages));
        for (size_t i = 0; i < kImages; ++i) {
            const StoredItem& item = byPath.at(split_.images[i]);
            QCOMPARE(item.status, ItemStatus::Embedded);
            if (i < kImages / 2) {
                QCOMPARE(item.embeddedBy, embeddedByText("sample-old", oldModel_->fingerprint()));
                QVERIFY(item.adapter.empty());
            } else {
                QCOMPARE(item.embeddedBy, embeddedByText("sample-new+lstsq", adapted->fingerprint()));
                QCOMPARE(QString::fromStdString(item.adapter), QStringLiteral("lstsq"));
                QCOMPARE(item.madeBy, adapted->fingerprint());
            }
        }

        // Old-model text queries find images that only the adapter embedded.
        const Workspace reader = Workspace::open(path("ws"), Workspace::Mode::ReadOnly);
        const GallerySearch search(reader, "default");
        std::vector<size_t> laterCaptions;
        for (size_t c = 0; c < split_.captions.size(); ++c)
            if (split_.captionImage[c] >= kImages / 2)
                laterCaptions.push_back(c);
        const double chance = 10.0 / kImages;
        const double oldQueries = recallAt10(search, *oldModel_, split_, laterCaptions);
        qInfo("T2I R@10 of images added through the adapter: old-model queries %.3f, new+phi queries %.3f "
              "(chance %.3f)",
              oldQueries, recallAt10(search, *adapted, split_, laterCaptions), chance);
        QVERIFY2(oldQueries > 3 * chance, qPrintable(QString::number(oldQueries)));

        // The new model alone cannot search the old gallery.
        VERIFY_CONTAINS(errorOf([&] { search.byText(*newModel_, "a red circle", {}); }), "sample-new");
    }

    // Re-ranking (issue 17): the adapter's top K re-scored by the new model,
    // each candidate re-embedded from its file; a missing or changed file is
    // skipped and counted, never fatal.
    void searchReRanksTheTopKWithTheNewModel()
    {
        const std::string root = path("rerank-photos");
        copyImages(split_, 0, kImages, root);
        Workspace ws = Workspace::open(path("ws-rerank"), Workspace::Mode::ReadWrite);
        IndexRunOptions o;
        o.root = root;
        o.modelSpec = "sample-old";
        QCOMPARE(GalleryIndexer(ws, *oldModel_, o).run().added, int64_t(kImages));
        const GallerySearch search(ws, "default");
        const std::unique_ptr<EmbeddingModel> adapted = makeAdaptedModel(newModel_, adapter_, ModelOptions{});
        const std::string text = split_.captions[0];
        const Matrix query = newModel_->encodeTexts({text});
        SearchOptions all;
        all.k = kImages;

        // K = the whole gallery: exactly the new model's ranking of it.
        SearchResults r = search.byText(*adapted, text, all);
        const RerankReport report = rerankHits(r, *newModel_, query, kImages);
        QCOMPARE(report.reembedded, int64_t(kImages));
        QCOMPARE(report.reused, int64_t(0));
        QCOMPARE(r.rerank.k, kImages);
        BatchEmbedder embedder(*newModel_, {16, 1});
        for (size_t i = 1; i < r.hits.size(); ++i)
            QVERIFY(r.hits[i - 1].rerankScore >= r.hits[i].rerankScore);
        const ImageEmbedResult direct = embedder.embedImages({{root + "/" + r.hits[0].path, r.hits[0].path}});
        double dot = 0;
        for (int64_t d = 0; d < query.cols; ++d)
            dot += query.at(0, d) * direct.embeddings.at(0, d);
        QVERIFY(std::fabs(dot - r.hits[0].rerankScore) < 1e-4);

        // K = 5 with one candidate gone and one changed since indexing.
        SearchResults first = search.byText(*adapted, text, all);
        const std::string gone = first.hits[1].path, changed = first.hits[2].path, outside = first.hits[7].path;
        fs::remove(root + "/" + gone);
        fs::copy_file(root + "/" + outside, root + "/" + changed, fs::copy_options::overwrite_existing);
        SearchResults five = first;
        const RerankReport partial = rerankHits(five, *newModel_, query, 5);
        QCOMPARE(partial.reembedded, int64_t(3));
        QCOMPARE(partial.missing, int64_t(1));
        QCOMPARE(partial.changed, int64_t(1));
        for (size_t i = 0; i < 3; ++i)
            QVERIFY(five.hits[i].reranked);
        // The two skipped candidates follow, in their first-stage order, then the rest unchanged.
        QCOMPARE(five.hits[3].path, gone);
        QCOMPARE(five.hits[4].path, changed);
        for (size_t i = 5; i < first.hits.size(); ++i)
            QCOMPARE(five.hits[i].path, first.hits[i].path);
        VERIFY_CONTAINS(QString::fromStdString(describeRerank(partial)), "1 skipped (file missing");
    }

    void adaptedModelCannotStartAGallery()
    {
        Workspace ws = Workspace::open(path("ws-fresh"), Workspace::Mode::ReadWrite);
        const std::unique_ptr<EmbeddingModel> adapted = makeAdaptedModel(newModel_, adapter_, ModelOptions{});
        IndexRunOptions o;
        o.root = split_.root;
        VERIFY_CONTAINS(errorOf([&] { GalleryIndexer(ws, *adapted, o).run(); }), "create the gallery with that model");
        // Nor join a gallery of another space.
        o.root = path("few-photos");
        copyImages(split_, 0, 3, o.root);
        o.gallery = "new";
        GalleryIndexer(ws, *newModel_, o).run();
        const QString refused = errorOf([&] { GalleryIndexer(ws, *adapted, o).run(); });
        VERIFY_CONTAINS(refused, "sample-new+lstsq");
        VERIFY_CONTAINS(refused, "lstsq");
    }

    void schemaOneGalleriesStayReadableAndMigrate()
    {
        const std::string root = path("legacy-photos");
        copyImages(split_, 0, 6, root);
        Workspace ws = Workspace::open(path("ws-legacy"), Workspace::Mode::ReadWrite);
        IndexRunOptions o;
        o.root = root;
        GalleryIndexer(ws, *oldModel_, o).run();
        const std::string database = galleryFiles(ws.galleryDir("default")).database;
        // Turn it into what a schema 1 xbt wrote.
        execSql(database, "ALTER TABLE items DROP COLUMN embedded_by; ALTER TABLE items DROP COLUMN adapter; "
                          "UPDATE meta SET value = '1' WHERE key = 'schema_version';");
        {
            const GalleryStore legacy = GalleryStore::open(database, GalleryStore::Mode::ReadOnly);
            const std::vector<StoredItem> items = legacy.items();
            QCOMPARE(items.size(), size_t(6));
            QCOMPARE(items[0].embeddedBy, embeddedByText("sample-old", oldModel_->fingerprint()));
            QVERIFY(legacy.item(items[0].id).has_value());
        }
        const int64_t generation = GalleryStore::open(database, GalleryStore::Mode::ReadOnly).generation();
        // Opened for writing it is migrated, its vectors (and index caches) untouched.
        copyImages(split_, 6, 9, root);
        const std::unique_ptr<EmbeddingModel> adapted = makeAdaptedModel(newModel_, adapter_, ModelOptions{});
        const IndexRunSummary s = GalleryIndexer(ws, *adapted, o).run();
        QCOMPARE(s.added, int64_t(3));
        QVERIFY(!s.imageIndex.rebuilt);
        const GalleryStore migrated = GalleryStore::open(database, GalleryStore::Mode::ReadOnly);
        QVERIFY(migrated.generation() > generation);
        int viaAdapter = 0;
        for (const StoredItem& item : migrated.items())
            viaAdapter += item.adapter == "lstsq" ? 1 : 0;
        QCOMPARE(viaAdapter, 3);
    }
};

QTEST_GUILESS_MAIN(TestAdapterGallery)
#include "test_adapter_gallery.moc"

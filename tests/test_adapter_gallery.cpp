// An old gallery grows after the upgrade without re-embedding: half a sample
// split is indexed with sample-old, a least-squares adapter new -> old is
// fitted, and the other half is indexed with sample-new + adapter (the old
// model is not used for it). The items say which model and adapter made
// them, old-model text queries find the images added after the upgrade, and
// a gallery of schema 1 stays readable and is migrated.
#include "core/adapt/AdapterInfo.h"
#include "core/adapt/ClosedFormFit.h"
#include "core/adapt/CompatibilityAdapter.h"
#include "core/pipeline/GalleryBackfill.h"
#include "core/pipeline/SearchReranker.h"
#include "core/gallery/NewModelStore.h"
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
#include <set>

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
        execSql(database, "DROP TRIGGER side_information_follows_content; DROP TABLE side_information_items; "
                          "DROP TABLE side_information_captions; "
                          "DELETE FROM meta WHERE key = 'side_information_generation'; "
                          "DROP TRIGGER second_space_follows_content; DROP TABLE second_space_items; "
                          "DROP TABLE second_space_captions; DELETE FROM meta WHERE key = 'second_space_generation'; "
                          "ALTER TABLE items DROP COLUMN embedded_by; ALTER TABLE items DROP COLUMN adapter; "
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
        // Migrated to the current schema: it can hold a new-model store.
        GalleryStore writable = GalleryStore::open(database, GalleryStore::Mode::ReadWrite);
        writable.setSecondSpace(secondSpaceOf(newModel_->info(), newModel_->embeddingDim(), "sample-new"));
        QVERIFY(writable.secondSpace().has_value());
        // ... and side information, which follows its item's content.
        const StoredItem first = writable.items().front();
        const std::vector<float> side(64, 0.25f);
        QCOMPARE(writable.commitSideInformation({{first.id, first.contentHash, side}}, {}, 64).images, int64_t(1));
        QCOMPARE(writable.commitSideInformation({{first.id, "another content", side}}, {}, 64).images, int64_t(0));
        QCOMPARE(writable.imageSideInformation(64).ids, std::vector<int64_t>{first.id});
        QCOMPARE(writable.itemsWithoutSideInformation().size(), migrated.items().size() - 1);
    }

    // --- Progressive backfill (issue 17) -----------------------------------

    // The old gallery of the first `count` split images, with their captions.
    Workspace oldGallery(const QString& name, size_t count)
    {
        const std::string root = path(name + "-photos");
        copyImages(split_, 0, count, root);
        // Captions name images relative to their file's folder.
        fs::copy_file(fs::path(split_.root) / "captions.tsv", fs::path(root) / "captions.tsv",
                      fs::copy_options::overwrite_existing);
        Workspace ws = Workspace::open(path(name), Workspace::Mode::ReadWrite);
        IndexRunOptions o;
        o.root = root;
        o.modelSpec = "sample-old";
        o.captionsFile = (fs::path(root) / "captions.tsv").string();
        o.captionsLenient = true;  // the split's captions name images this gallery may not hold
        GalleryIndexer(ws, *oldModel_, o).run();
        return ws;
    }

    // The reference: the same folder and captions indexed by the new model into gallery "new".
    void newModelGallery(Workspace& ws)
    {
        IndexRunOptions o;
        o.root = storeOf(ws).settings().root;
        o.gallery = "new";
        o.modelSpec = "sample-new";
        o.captionsFile = o.root + "/captions.tsv";
        o.captionsLenient = true;
        GalleryIndexer(ws, *newModel_, o).run();
    }

    GalleryStore storeOf(const Workspace& ws, const std::string& gallery = "default")
    {
        return GalleryStore::open(galleryFiles(ws.galleryDir(gallery)).database, GalleryStore::Mode::ReadOnly);
    }

    std::set<std::string> backfilledPaths(const Workspace& ws)
    {
        const GalleryStore store = storeOf(ws);
        std::set<std::string> out;
        for (int64_t id : store.secondSpaceItemIds())
            out.insert(store.item(id)->path);
        return out;
    }

    BackfillSummary backfill(Workspace& ws, BackfillOrder order, const std::string& budget, uint64_t seed = 0)
    {
        BackfillOptions o;
        o.modelSpec = "sample-new";
        o.order = order;
        o.budget = parseBackfillBudget(budget);
        o.seed = seed;
        o.batchSize = 8;
        return GalleryBackfill(ws, *newModel_, oldModel_.get(), o).run();
    }

    void backfillFollowsItsBudgetAndOrderAndResumes()
    {
        Workspace ws = oldGallery("ws-backfill", 40);
        const BackfillSummary first = backfill(ws, BackfillOrder::Crowding, "10");
        QCOMPARE(first.backfilled, int64_t(10));
        QCOMPARE(first.galleryImages, int64_t(40));
        QCOMPARE(first.storeImages, int64_t(10));
        // Each image's captions come with it.
        const GalleryStore store = storeOf(ws);
        int64_t captionsOfBackfilled = 0;
        const std::vector<int64_t> done = store.secondSpaceItemIds();
        for (const StoredCaption& c : store.captions())
            captionsOfBackfilled += std::count(done.begin(), done.end(), c.itemId);
        QVERIFY(captionsOfBackfilled > 0);
        QCOMPARE(store.secondSpaceCounts().captions, captionsOfBackfilled);
        QCOMPARE(first.captions, captionsOfBackfilled);
        // The stored vector is the new model's embedding of the file.
        const StoredVectors v = store.secondSpaceImageVectors({done.front()});
        const std::string file = storeOf(ws).settings().root + "/" + store.item(done.front())->path;
        const ImageEmbedResult direct = BatchEmbedder(*newModel_, {1, 1}).embedImages({{file, file}});
        double dot = 0;
        for (int64_t d = 0; d < direct.embeddings.cols; ++d)
            dot += direct.embeddings.at(0, d) * v.vectors.at(0, d);
        QVERIFY(std::fabs(dot - 1.0) < 1e-4);

        // Nothing left at the same budget; a larger one goes on in the same order.
        const BackfillSummary again = backfill(ws, BackfillOrder::Crowding, "10");
        QCOMPARE(again.backfilled, int64_t(0));
        QCOMPARE(QString::fromStdString(describeBackfill(again)).section('\n', 0, 0),
                 QStringLiteral("backfilled 0 images (nothing left to do)"));
        const std::set<std::string> ten = backfilledPaths(ws);
        const BackfillSummary more = backfill(ws, BackfillOrder::Crowding, "50%");
        QCOMPARE(more.alreadyDone, int64_t(10));
        QCOMPARE(more.backfilled, int64_t(10));
        const std::set<std::string> twenty = backfilledPaths(ws);
        QVERIFY(std::includes(twenty.begin(), twenty.end(), ten.begin(), ten.end()));

        // Another model never writes into this store.
        VERIFY_CONTAINS(errorOf([&] {
                            BackfillOptions o;
                            o.budget = parseBackfillBudget("5");
                            GalleryBackfill(ws, *oldModel_, nullptr, o).run();
                        }),
                        "nothing to backfill");
        VERIFY_CONTAINS(errorOf([&] { parseBackfillBudget("120%"); }), "--budget 120%");
    }

    void backfillOrderIsDeterministicForASeed()
    {
        Workspace a = oldGallery("ws-seed-a", 30);
        Workspace b = oldGallery("ws-seed-b", 30);
        backfill(a, BackfillOrder::Random, "8", 7);
        backfill(b, BackfillOrder::Random, "8", 7);
        QCOMPARE(backfilledPaths(a), backfilledPaths(b));
        Workspace c = oldGallery("ws-seed-c", 30);
        backfill(c, BackfillOrder::Random, "8", 8);
        QVERIFY(backfilledPaths(a) != backfilledPaths(c));
    }

    void mixedSearchGoesFromTheAdapterToTheNewModel()
    {
        Workspace ws = oldGallery("ws-mixed", 40);
        newModelGallery(ws);
        const std::unique_ptr<EmbeddingModel> adapted = makeAdaptedModel(newModel_, adapter_, ModelOptions{});
        const std::string text = split_.captions[3];
        const Matrix a = adapted->encodeTexts({text});
        const Matrix n = newModel_->encodeTexts({text});
        const std::vector<float> adaptedQuery(a.row(0), a.row(0) + a.cols), newQuery(n.row(0), n.row(0) + n.cols);
        SearchOptions all;
        all.k = 40;
        auto paths = [](const SearchResults& r) {
            std::vector<std::string> out;
            for (const SearchHit& h : r.hits)
                out.push_back(h.path);
            return out;
        };
        {
            // No store yet: refused, saying how to make one.
            const GallerySearch search(ws, "default");
            VERIFY_CONTAINS(errorOf([&] {
                                search.byVectorMixed(adaptedQuery, modelSpace(adapted->info()), newQuery,
                                                     newModel_->info(), all);
                            }),
                            "xbt backfill");
        }
        backfill(ws, BackfillOrder::Random, "0");  // declares the store, backfills nothing
        {
            const GallerySearch search(ws, "default");
            const SearchResults none =
                search.byVectorMixed(adaptedQuery, modelSpace(adapted->info()), newQuery, newModel_->info(), all);
            QCOMPARE(none.backfilledItems, int64_t(0));
            QCOMPARE(paths(none), paths(search.byVector(adaptedQuery, modelSpace(adapted->info()), all)));
        }
        backfill(ws, BackfillOrder::Random, "50%");
        {
            const GallerySearch search(ws, "default");
            const SearchResults half =
                search.byVectorMixed(adaptedQuery, modelSpace(adapted->info()), newQuery, newModel_->info(), all);
            QCOMPARE(half.backfilledItems, int64_t(20));
            QCOMPARE(half.hits.size(), size_t(40));
            int fresh = 0;
            for (const SearchHit& h : half.hits)
                fresh += h.backfilled ? 1 : 0;
            QCOMPARE(fresh, 20);
            // The scoring ranks the two spaces against each other; each
            // hit keeps its own space's cosine as its score.
            MixedScoring above, below;
            above.newBias = 10.0;
            below.newBias = -10.0;
            const SearchResults first = search.byVectorMixed(adaptedQuery, modelSpace(adapted->info()), newQuery,
                                                             newModel_->info(), all, above);
            const SearchResults last = search.byVectorMixed(adaptedQuery, modelSpace(adapted->info()), newQuery,
                                                            newModel_->info(), all, below);
            for (size_t i = 0; i < 40; ++i) {
                QCOMPARE(first.hits[i].backfilled, i < 20);
                QCOMPARE(last.hits[i].backfilled, i >= 20);
                QVERIFY(std::fabs(first.hits[i].score) <= 1.0f + 1e-4f);
            }
            QCOMPARE(first.mixing, above.description);
        }
        backfill(ws, BackfillOrder::Random, "");
        {
            const GallerySearch search(ws, "default");
            const GallerySearch reference(ws, "new");
            const SearchResults full =
                search.byVectorMixed(adaptedQuery, modelSpace(adapted->info()), newQuery, newModel_->info(), all);
            const SearchResults newToNew = reference.byVector(newQuery, modelSpace(newModel_->info()), all);
            QCOMPARE(paths(full), paths(newToNew));
            QVERIFY(std::fabs(full.hits[0].score - newToNew.hits[0].score) < 1e-4);
            // A calibration is monotone: it cannot reorder one space.
            MixedScoring calibrated;
            calibrated.newScale = 2.0;
            calibrated.newBias = -0.8;
            QCOMPARE(paths(search.byVectorMixed(adaptedQuery, modelSpace(adapted->info()), newQuery, newModel_->info(),
                                                all, calibrated)),
                     paths(newToNew));
        }
    }

    void reRankingReusesAndKeepsNewEmbeddings()
    {
        Workspace ws = oldGallery("ws-rerank-store", 30);
        const std::unique_ptr<EmbeddingModel> adapted = makeAdaptedModel(newModel_, adapter_, ModelOptions{});
        const std::string text = split_.captions[0];
        const Matrix query = newModel_->encodeTexts({text});
        const NewModelStore store(ws, "default", newModel_->info(), newModel_->embeddingDim(), "sample-new");
        SearchOptions o;
        o.k = 10;
        const GallerySearch search(ws, "default");
        // While a backfill holds the store, a query still re-ranks, without storing or waiting.
        {
            const WorkspaceLock backfillHolds = ws.lock(kNewModelStoreLock, "default");
            SearchResults r = search.byText(*adapted, text, o);
            const RerankReport busy = rerankHits(r, *newModel_, query, 10, &store);
            QCOMPARE(busy.reembedded, int64_t(10));
            QCOMPARE(busy.stored, int64_t(0));
            VERIFY_CONTAINS(QString::fromStdString(busy.notStored), "in use");
        }
        SearchResults first = search.byText(*adapted, text, o);
        const RerankReport made = rerankHits(first, *newModel_, query, 10, &store);
        QCOMPARE(made.reembedded, int64_t(10));
        QCOMPARE(made.stored, int64_t(10));
        SearchResults second = search.byText(*adapted, text, o);
        const RerankReport reused = rerankHits(second, *newModel_, query, 10, &store);
        QCOMPARE(reused.reused, int64_t(10));
        QCOMPARE(reused.reembedded, int64_t(0));
        for (size_t i = 0; i < first.hits.size(); ++i) {
            QCOMPARE(second.hits[i].path, first.hits[i].path);
            QVERIFY(std::fabs(second.hits[i].rerankScore - first.hits[i].rerankScore) < 1e-5);
        }
        QCOMPARE(storeOf(ws).secondSpaceCounts().images, int64_t(10));
    }

    void reindexingAChangedFileDropsItsNewEmbedding()
    {
        Workspace ws = oldGallery("ws-reindex", 12);
        backfill(ws, BackfillOrder::Random, "");
        QCOMPARE(storeOf(ws).secondSpaceCounts().images, int64_t(12));
        const std::string root = storeOf(ws).settings().root;
        fs::copy_file(root + "/" + split_.images[1], root + "/" + split_.images[0], fs::copy_options::overwrite_existing);
        IndexRunOptions o;
        o.root = root;
        o.modelSpec = "sample-old";
        QCOMPARE(GalleryIndexer(ws, *oldModel_, o).run().changed, int64_t(1));
        QCOMPARE(storeOf(ws).secondSpaceCounts().images, int64_t(11));
        QVERIFY(!backfilledPaths(ws).count(split_.images[0]));
        // Deleting a file drops its new embedding with its item.
        fs::remove(root + "/" + split_.images[2]);
        GalleryIndexer(ws, *oldModel_, o).run();
        QCOMPARE(storeOf(ws).secondSpaceCounts().images, int64_t(10));
        // The next backfill re-embeds the changed file only.
        QCOMPARE(backfill(ws, BackfillOrder::Random, "").backfilled, int64_t(1));
    }

    void promoteMakesTheGalleryNewToNewAndRollsBack()
    {
        Workspace ws = oldGallery("ws-promote", 24);
        newModelGallery(ws);
        backfill(ws, BackfillOrder::Random, "12");
        VERIFY_CONTAINS(errorOf([&] { promoteBackfilledModel(ws, "default"); }), "12 images and");
        QCOMPARE(storeOf(ws).settings().modelFingerprint, oldModel_->fingerprint());  // nothing changed
        backfill(ws, BackfillOrder::Random, "");
        promoteBackfilledModel(ws, "default");
        SearchOptions all;
        all.k = 24;
        const std::string text = split_.captions[5];
        {
            const GalleryStore store = storeOf(ws);
            QCOMPARE(store.settings().modelFingerprint, newModel_->fingerprint());
            QVERIFY(store.secondSpace()->retired);
            const GallerySearch promoted(ws, "default");
            const GallerySearch reference(ws, "new");
            const SearchResults a = promoted.byText(*newModel_, text, all);
            const SearchResults b = reference.byText(*newModel_, text, all);
            QCOMPARE(a.hits.size(), b.hits.size());
            for (size_t i = 0; i < a.hits.size(); ++i) {
                QCOMPARE(a.hits[i].path, b.hits[i].path);
                QVERIFY(std::fabs(a.hits[i].score - b.hits[i].score) < 1e-5);
            }
            // Image queries search the captions, promoted too.
            SearchOptions captions = all;
            captions.target = SearchTarget::Captions;
            const std::string image = store.settings().root + "/" + split_.images[2];
            const SearchResults ca = promoted.byImage(*newModel_, image, captions);
            const SearchResults cb = reference.byImage(*newModel_, image, captions);
            QVERIFY(!ca.hits.empty());
            QCOMPARE(ca.hits.size(), cb.hits.size());
            QCOMPARE(ca.hits.front().caption, cb.hits.front().caption);
            QVERIFY(std::fabs(ca.hits.front().score - cb.hits.front().score) < 1e-5);
        }
        // Rollback: promote again swaps back to the old model.
        promoteBackfilledModel(ws, "default");
        QCOMPARE(storeOf(ws).settings().modelFingerprint, oldModel_->fingerprint());
        QVERIFY(!storeOf(ws).secondSpace()->retired);
        VERIFY_CONTAINS(errorOf([&] { dropSecondSpace(ws, "default", true); }), "--discard");
        promoteBackfilledModel(ws, "default");
        dropSecondSpace(ws, "default", true);
        QVERIFY(!storeOf(ws).secondSpace().has_value());
        QCOMPARE(storeOf(ws).settings().modelFingerprint, newModel_->fingerprint());
    }
};

QTEST_GUILESS_MAIN(TestAdapterGallery)
#include "test_adapter_gallery.moc"

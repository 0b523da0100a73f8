// The upgrade session as a user of the CLI leaves a workspace: a folder
// indexed with their own TorchScript model, adapters trained with xbt train,
// no upgrade.json. The session finds the upgrade from what the galleries and
// adapters record (and lists choices instead of guessing), compares one query
// across the configurations, searches and indexes through an adapter, and
// refuses an fct transform of another model's gallery.
#include "core/data/CaptionedSplit.h"
#include "core/pipeline/UpgradeSession.h"
#include "core/sample/SampleWorldGenerator.h"
#include "core/util/FileUtil.h"
#include "core/workspace/UpgradeProfile.h"
#include "core/workspace/Workspace.h"
#include "tests/TestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace xbt;
using namespace xbt::test;

class TestUpgradeSession : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    std::string ws_, photos_, more_, corpus_, oldModel_;
    ModelOptions options_;

    std::string path(const char* name) const { return dir_.filePath(name).toStdString(); }

    void train(UpgradeSession& session, const std::string& name)
    {
        AdapterTrainRequest r;
        r.method = "lstsq";
        r.name = name;
        r.oldModel = oldModel_;
        r.newModel = "sample-new";
        r.modelOptions = options_;
        r.corpusFile = corpus_;
        session.train(r);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        options_.device = "cpu";
        options_.threads = 1;
        options_.merges = (sharedDir() + "/clip/bpe_simple_vocab_16e6.txt.gz").toStdString();
        oldModel_ = (fixtureDir() + "/tiny/tiny_clip.pt").toStdString();
        ws_ = path("ws");
        photos_ = path("photos");
        more_ = path("more");
        for (const auto& [out, count, seed] : {std::tuple{photos_, 24, 1}, std::tuple{more_, 4, 2}}) {
            SampleWorldOptions g;
            g.outDir = out;
            g.split = SampleSplit::Test;
            g.count = count;
            g.seed = seed;
            g.threads = 2;
            generateSampleWorld(g);
        }
        corpus_ = path("corpus.txt");
        std::ofstream out(corpus_);
        for (const std::string& c : loadCaptionedSplit(photos_).captions)
            out << c << "\n";
    }

    void aCliWorkspaceFindsItsUpgrade()
    {
        UpgradeSession session(ws_, options_, UpgradeSession::Open::CreateIfMissing);
        IndexRequest index;
        index.run.root = photos_;
        index.run.gallery = "photos";
        index.run.captionsFile = photos_ + "/captions.tsv";
        index.modelSpec = oldModel_;
        QCOMPARE(session.index(index).added, int64_t(24));
        train(session, "first");
        train(session, "second");
        QVERIFY(!hasUpgradeProfile(ws_));

        UpgradeSession reopened(ws_, options_);
        const WorkspaceSummary s = reopened.summarize();
        QCOMPARE(s.profileSource, ProfileSource::Inferred);
        QVERIFY(s.profileChoices.empty());
        QCOMPARE(s.profile.oldModel, oldModel_);
        QCOMPARE(s.profile.oldGallery, std::string("photos"));
        QCOMPARE(s.profile.newModel, std::string("sample-new"));
        QCOMPARE(s.profile.defaultAdapter, std::string("first"));
        QVERIFY(s.models[0].loaded && s.models[1].loaded);
        QCOMPARE(s.queryAdapters, (std::vector<std::string>{"first", "second"}));
        QCOMPARE(s.galleryDetails.size(), size_t(1));
        QCOMPARE(s.galleryDetails[0].settings.root, photos_);
    }

    void compareSearchesEveryConfiguration()
    {
        UpgradeSession session(ws_, options_);
        ComparisonQuery query;
        query.text = loadCaptionedSplit(photos_).captions.front();
        query.adapter = "second";
        query.k = 5;
        const Comparison c = session.compare(query);
        QCOMPARE(c.columns.size(), size_t(3));  // no new-model gallery: no backfill column
        QCOMPARE(c.columns[0].kind, ColumnKind::Today);
        QCOMPARE(c.columns[0].results.hits.size(), size_t(5));
        QVERIFY2(!c.columns[1].unavailable.empty(), "raw new->old of different dims is not comparable");
        QCOMPARE(c.columns[2].kind, ColumnKind::Adapted);
        QVERIFY2(c.columns[2].unavailable.empty(), c.columns[2].unavailable.c_str());

        // The adapted column is what `xbt search --model NEW --adapter` returns.
        SearchRequest search;
        search.gallery = "photos";
        search.text = query.text;
        search.options.k = 5;
        search.modelSpec = "sample-new";
        search.adapter = "second";
        const SearchResults r = session.search(search);
        QCOMPARE(r.hits.size(), c.columns[2].results.hits.size());
        for (size_t i = 0; i < r.hits.size(); ++i)
            QCOMPARE(r.hits[i].id, c.columns[2].results.hits[i].id);

        // Re-ranked at 8: the adapter column is `xbt search --rerank 8`, and says what it re-embedded.
        query.rerankK = 8;
        const Comparison reranked = session.compare(query);
        const ComparisonColumn& column = reranked.columns[2];
        QVERIFY2(column.unavailable.empty(), column.unavailable.c_str());
        QCOMPARE(column.results.rerank.k, 8);
        QCOMPARE(column.results.hits.size(), size_t(5));
        VERIFY_CONTAINS(QString::fromStdString(column.title), "re-ranked @8");
        VERIFY_CONTAINS(QString::fromStdString(column.subtitle), "8 re-embedded now");
        search.rerankK = 8;
        const SearchResults viaSearch = session.search(search);
        // The column kept its 8 new embeddings in the gallery's new-model store: the search reuses them.
        QCOMPARE(viaSearch.rerank.reembedded, int64_t(0));
        QCOMPARE(viaSearch.rerank.reused, int64_t(8));
        for (size_t i = 0; i < viaSearch.hits.size(); ++i) {
            QCOMPARE(viaSearch.hits[i].id, column.results.hits[i].id);
            QVERIFY(viaSearch.hits[i].reranked);
        }
        // Re-ranking needs the new model: the gallery's own model cannot re-rank itself.
        SearchRequest plain = search;
        plain.modelSpec.clear();
        plain.adapter.clear();
        VERIFY_CONTAINS(errorOf([&] { session.search(plain); }), "NEW model");
    }

    void newImagesGoInThroughAnAdapter()
    {
        UpgradeSession session(ws_, options_);
        // The old gallery's folder gains images; the new model adds them
        // through the adapter, into the old model's space.
        for (const char* name : {"000001.png", "000002.png"})
            QVERIFY(QFile::copy(QString::fromStdString(more_ + "/" + name),
                                QString::fromStdString(photos_ + "/new-" + name)));
        IndexRequest index;
        index.run.root = photos_;
        index.run.gallery = "photos";
        index.modelSpec = "sample-new";
        index.adapter = "first";
        const IndexRunSummary s = session.index(index);
        QCOMPARE(s.added, int64_t(2));
        QCOMPARE(s.unchanged, int64_t(24));
        // Without the adapter the new model is refused by the model lock.
        index.adapter.clear();
        QVERIFY(!errorOf([&] { session.index(index); }).isEmpty());
    }

    void ambiguousGalleriesAreChoicesNotGuesses()
    {
        UpgradeSession session(ws_, options_);
        IndexRequest index;
        index.run.root = more_;
        index.run.gallery = "more";
        index.modelSpec = oldModel_;
        session.index(index);
        session.invalidate();
        const WorkspaceSummary s = session.summarize();
        QCOMPARE(s.profileChoices.size(), size_t(1));
        QCOMPARE(s.profileChoices[0].field, std::string("old_gallery"));
        QCOMPARE(s.profileChoices[0].options, (std::vector<std::string>{"more", "photos"}));

        // Saving the models settles it: upgrade.json wins from then on.
        session.switchModels(oldModel_, "sample-new", "photos");
        const WorkspaceSummary saved = session.summarize();
        QCOMPARE(saved.profileSource, ProfileSource::Saved);
        QCOMPARE(saved.profile.oldGallery, std::string("photos"));
        QVERIFY(saved.profileChoices.empty());
    }

    void fctOfAnotherModelsGalleryIsRefused()
    {
        UpgradeSession session(ws_, options_);
        AdapterTrainRequest r;
        r.method = "fct";
        r.name = "fct";
        r.oldModel = "sample-old";  // not the model that built "photos"
        r.newModel = "sample-new";
        r.modelOptions = options_;
        r.pairsDir = photos_;
        r.gallery = "photos";
        const QString error = errorOf([&] { session.train(r); });
        VERIFY_CONTAINS(error, QStringLiteral("gallery 'photos' was built with model"));
        VERIFY_CONTAINS(error, QStringLiteral("only moves the old model's gallery"));
    }

    // xbt search --mixed puts the two spaces on one scale with a calibration
    // fitted on the adapter's validation split, kept in the workspace's
    // cache; an adapter without one mixes raw and says so.
    void mixedSearchSaysHowItMixes()
    {
        UpgradeSession session(ws_, options_);
        SearchRequest search;
        search.gallery = "photos";
        search.text = loadCaptionedSplit(photos_).captions.front();
        search.options.k = 10;
        search.modelSpec = "sample-new";
        search.adapter = "second";
        search.mixed = true;
        const SearchResults raw = session.search(search);  // the store holds what the re-ranking kept
        QVERIFY(raw.backfilledItems > 0);
        VERIFY_CONTAINS(QString::fromStdString(raw.mixing), "raw: adapter 'second' names no validation split");

        AdapterTrainRequest r;
        r.method = "lstsq";
        r.name = "validated";
        r.oldModel = oldModel_;
        r.newModel = "sample-new";
        r.modelOptions = options_;
        r.corpusFile = corpus_;
        r.validationDir = more_;
        session.train(r);
        search.adapter = "validated";
        const SearchResults calibrated = session.search(search);
        VERIFY_CONTAINS(QString::fromStdString(calibrated.mixing), QString::fromStdString("calibrated on " + more_));
        QCOMPARE(calibrated.hits.size(), size_t(10));
        const QDir cache(QString::fromStdString(session.layout().mixingCacheDir()));
        QCOMPARE(cache.entryList({QStringLiteral("*.json")}, QDir::Files).size(), 2);
        // The next search reads the cached calibration: the same answer.
        UpgradeSession again(ws_, options_);
        const SearchResults cached = again.search(search);
        QCOMPARE(cached.mixing, calibrated.mixing);
        for (size_t i = 0; i < cached.hits.size(); ++i)
            QCOMPARE(cached.hits[i].id, calibrated.hits[i].id);
    }
};

QTEST_GUILESS_MAIN(TestUpgradeSession)
#include "test_upgrade_session.moc"

// Incremental indexing and search through the engine API, with a model double
// (an image's embedding is its normalised mean colour) so that what is tested
// is the indexer: add/change/touch/delete, odd and corrupt files, the model
// lock, cancellation, captions, float16, IVF, and search against brute force.
#include "core/eval/RetrievalRecall.h"
#include "core/gallery/GalleryFiles.h"
#include "core/gallery/GalleryIndexer.h"
#include "core/gallery/GallerySearch.h"
#include "core/gallery/GalleryStore.h"
#include "core/image/ColorLayout.h"
#include "core/text/WordHashing.h"
#include "core/workspace/Workspace.h"
#include "core/text/TextTokenizer.h"
#include "core/util/Error.h"
#include "core/util/Half.h"
#include "tests/GalleryTestSupport.h"
#include "tests/TestDoubles.h"
#include "tests/TestSupport.h"

#include <QBuffer>
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <fcntl.h>
#include <numeric>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

using namespace xbt;
using namespace xbt::test;

namespace {

// Image: normalised (mean R, mean G, mean B, 0.1). Text: a direction from the
// words "red", "green", "blue" it contains.
class ColourModel : public EmbeddingModel {
public:
    ColourModel(const std::string& name, char fingerprintChar)
    {
        info_.name = name;
        info_.embeddingDim = 4;
        info_.fingerprint = std::string(64, fingerprintChar);
        info_.preprocess.inputResolution = 16;
        info_.preprocess.mean = {0, 0, 0};
        info_.preprocess.std = {1, 1, 1};
    }
    const ModelInfo& info() const override { return info_; }
    Matrix encodeImages(const std::vector<PixelTensor>& images) override
    {
        Matrix m(static_cast<int64_t>(images.size()), 4);
        for (size_t i = 0; i < images.size(); ++i) {
            const std::array<float, 3> means = channelMeans(images[i]);
            for (int c = 0; c < 3; ++c)
                m.at(static_cast<int64_t>(i), c) = means[static_cast<size_t>(c)];
            m.at(static_cast<int64_t>(i), 3) = 0.1f;
        }
        normalizeRows(m);
        return m;
    }
    Matrix encodeTexts(const std::vector<std::string>& texts) override
    {
        Matrix m(static_cast<int64_t>(texts.size()), 4);
        for (size_t i = 0; i < texts.size(); ++i) {
            const auto r = static_cast<int64_t>(i);
            m.at(r, 0) = texts[i].find("red") != std::string::npos ? 1.0f : 0.0f;
            m.at(r, 1) = texts[i].find("green") != std::string::npos ? 1.0f : 0.0f;
            m.at(r, 2) = texts[i].find("blue") != std::string::npos ? 1.0f : 0.0f;
            m.at(r, 3) = 0.05f * static_cast<float>(texts[i].size() % 7);
        }
        normalizeRows(m);
        return m;
    }
    const TextTokenizer& tokenizer() const override { return tokenizer_; }

private:
    ModelInfo info_;
    LengthTokenizer tokenizer_;
};

QByteArray pngBytes(QColor colour, int w = 24, int h = 20)
{
    QImage img(w, h, QImage::Format_RGB888);
    img.fill(colour);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    img.save(&buffer, "PNG");
    return bytes;
}

// Raw bytes as the name, so that non-UTF-8 names can be made.
void writeBytes(const std::string& path, const QByteArray& bytes)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    QVERIFY(fd >= 0);
    QCOMPARE(::write(fd, bytes.constData(), static_cast<size_t>(bytes.size())), ssize_t(bytes.size()));
    ::close(fd);
}

QColor colourOf(int i) { return QColor::fromHsv((i * 37) % 360, 80 + (i * 53) % 170, 60 + (i * 29) % 190); }

uint32_t crc32(const QByteArray& data)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (const char ch : data) {
        crc ^= static_cast<uint8_t>(ch);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

// A PNG whose header claims 30000 x 30000 pixels: must be refused from the header.
QByteArray hugeHeaderPng()
{
    QByteArray ihdr("IHDR");
    for (uint32_t v : {30000u, 30000u})
        for (int s = 24; s >= 0; s -= 8)
            ihdr.append(static_cast<char>((v >> s) & 0xFF));
    ihdr.append("\x08\x02\x00\x00\x00", 5);
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    png.append(QByteArray("\x00\x00\x00\x0d", 4));
    png.append(ihdr);
    const uint32_t c = crc32(ihdr);
    for (int s = 24; s >= 0; s -= 8)
        png.append(static_cast<char>((c >> s) & 0xFF));
    png.append(QByteArray(64, '\0'));
    return png;
}

}  // namespace

class TestGalleryIndexer : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    ColourModel oldModel_{"colour-old", 'a'};
    ColourModel otherModel_{"colour-other", 'b'};

    std::string path(const QString& name) const { return dir_.filePath(name).toStdString(); }

    void makeFolder(const QString& name, int count)
    {
        QVERIFY(QDir().mkpath(dir_.filePath(name + "/sub")));
        for (int i = 0; i < count; ++i)
            writeBytes(path(name + (i % 3 == 0 ? "/sub/" : "/") + QStringLiteral("img%1.png").arg(i, 3, 10, QChar('0'))),
                       pngBytes(colourOf(i)));
    }

    IndexRunSummary index(const QString& ws, const QString& folder, IndexRunOptions options = {},
                          EmbeddingModel* model = nullptr, const CancelToken& cancel = {},
                          const ProgressCallback& progress = {})
    {
        Workspace workspace = Workspace::open(path(ws), Workspace::Mode::ReadWrite);
        options.root = path(folder);
        options.modelSpec = "double";
        if (options.batchSize == 32)
            options.batchSize = 4;
        GalleryIndexer indexer(workspace, model ? *model : oldModel_, options);
        return indexer.run(progress, cancel);
    }

    GalleryStore store(const QString& ws, const std::string& gallery = "default")
    {
        const Workspace workspace = Workspace::open(path(ws), Workspace::Mode::ReadOnly);
        return GalleryStore::open(galleryFiles(workspace.galleryDir(gallery)).database, GalleryStore::Mode::ReadOnly);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    // QDir cannot name a file whose name is not UTF-8: remove it by its bytes.
    void cleanupTestCase() { ::unlink((dir_.path().toStdString() + "/odd/caf\xff\xfe.png").c_str()); }

    void incrementalReindexCountsEveryCase()
    {
        makeFolder("inc", 12);
        IndexRunSummary s = index("ws-inc", "inc");
        QCOMPARE(s.scanned, int64_t(12));
        QCOMPARE(s.added, int64_t(12));
        QCOMPARE(s.unchanged, int64_t(0));
        QVERIFY(s.failures.empty());
        QVERIFY(s.createdGallery);

        // Add two, change one, touch one (same bytes, new mtime), delete two.
        writeBytes(path("inc/new1.png"), pngBytes(colourOf(100)));
        writeBytes(path("inc/sub/new2.png"), pngBytes(colourOf(101)));
        writeBytes(path("inc/img001.png"), pngBytes(colourOf(102)));
        const QByteArray same = pngBytes(colourOf(2));
        writeBytes(path("inc/img002.png"), same);
        struct timespec later[2] = {{0, UTIME_OMIT}, {2000000000, 0}};
        QCOMPARE(::utimensat(AT_FDCWD, path("inc/img002.png").c_str(), later, 0), 0);
        QVERIFY(QFile::remove(dir_.filePath("inc/img004.png")));
        QVERIFY(QFile::remove(dir_.filePath("inc/sub/img003.png")));

        s = index("ws-inc", "inc");
        QCOMPARE(s.scanned, int64_t(12));
        QCOMPARE(s.added, int64_t(2));
        QCOMPARE(s.changed, int64_t(1));
        QCOMPARE(s.unchanged, int64_t(9));
        QCOMPARE(s.removed, int64_t(2));
        QVERIFY(!s.createdGallery);

        s = index("ws-inc", "inc");
        QCOMPARE(s.indexed(), int64_t(0));
        QCOMPARE(s.unchanged, int64_t(12));
        QCOMPARE(s.removed, int64_t(0));

        const GalleryStore st = store("ws-inc");
        QCOMPARE(st.counts().embedded, int64_t(12));
        std::set<std::string> paths;
        for (const StoredItem& item : st.items())
            paths.insert(item.path);
        QCOMPARE(paths.size(), size_t(12));
        QVERIFY(paths.count("sub/new2.png"));
        QVERIFY(!paths.count("img004.png"));
        // The touched file kept its id and took its new mtime.
        for (const StoredItem& item : st.items())
            if (item.path == "img002.png")
                QCOMPARE(item.mtimeNs, int64_t(2000000000) * 1000000000);
    }

    void oddFilesAreRecordedNotFatal()
    {
        makeFolder("odd", 4);
        writeBytes(path("odd/empty.jpg"), {});
        const QByteArray good = pngBytes(colourOf(7), 64, 64);
        writeBytes(path("odd/truncated.png"), good.left(good.size() / 2));
        // What a link to a private file would show: no byte of it may reach
        // the stored (world-readable) failure reason.
        writeBytes(path("odd/text.jpg"), "pw:s3cret! this is not a jpeg at all");
        writeBytes(path("odd/huge.png"), hugeHeaderPng());
        // Built as bytes: through QString the name would become valid UTF-8.
        writeBytes(dir_.path().toStdString() + "/odd/caf\xff\xfe.png", pngBytes(colourOf(8)));
        writeBytes(path("odd/UPPER.PNG"), pngBytes(colourOf(9)));
        QCOMPARE(::symlink(".", path("odd/loop").c_str()), 0);
        QCOMPARE(::symlink("../odd", path("odd/sub/back").c_str()), 0);
        QCOMPARE(::symlink("missing.png", path("odd/dangling.png").c_str()), 0);

        const IndexRunSummary s = index("ws-odd", "odd");
        QCOMPARE(s.scanned, int64_t(4 + 4 + 2));
        QCOMPARE(s.added, int64_t(6));
        QCOMPARE(s.failures.size(), size_t(4));
        std::map<std::string, std::string> reasons;
        for (const FileFailure& f : s.failures) {
            reasons[f.path] = f.reason;
            QVERIFY(!f.earlier);
        }
        QVERIFY2(reasons["empty.jpg"].find("empty") != std::string::npos, reasons["empty.jpg"].c_str());
        QVERIFY(!reasons["truncated.png"].empty());
        QVERIFY2(reasons["text.jpg"].find("not a recognised image") != std::string::npos, reasons["text.jpg"].c_str());
        for (const auto& [path, reason] : reasons)
            QVERIFY2(reason.find("pw:s") == std::string::npos && reason.find("70 77 3a") == std::string::npos,
                     reason.c_str());
        QVERIFY2(reasons["huge.png"].find("too large") != std::string::npos, reasons["huge.png"].c_str());

        const GalleryStore st = store("ws-odd");
        QCOMPARE(st.counts().failed, int64_t(4));
        bool rawName = false;
        for (const StoredItem& item : st.items())
            rawName = rawName || item.path == "caf\xff\xfe.png";
        QVERIFY(rawName);

        // Unchanged failures are not retried; a fixed file is.
        IndexRunSummary again = index("ws-odd", "odd");
        QCOMPARE(again.indexed(), int64_t(0));
        QCOMPARE(again.failures.size(), size_t(4));
        QVERIFY(std::all_of(again.failures.begin(), again.failures.end(), [](const FileFailure& f) { return f.earlier; }));
        writeBytes(path("odd/text.jpg"), pngBytes(colourOf(10)));  // PNG bytes, .jpg name: content decides
        again = index("ws-odd", "odd");
        QCOMPARE(again.changed, int64_t(1));
        QCOMPARE(again.failures.size(), size_t(3));
    }

    void excludesDropMatchingPaths()
    {
        makeFolder("excl", 9);
        IndexRunOptions o;
        o.excludes = std::vector<std::string>{"sub/*", "*007*"};
        IndexRunSummary s = index("ws-excl", "excl", o);
        QCOMPARE(s.scanned, int64_t(5));
        // Remembered: a plain re-run keeps excluding; new globs replace them.
        s = index("ws-excl", "excl");
        QCOMPARE(s.unchanged, int64_t(5));
        IndexRunOptions none;
        none.excludes = std::vector<std::string>{};
        s = index("ws-excl", "excl", none);
        QCOMPARE(s.added, int64_t(4));
        o.excludes = std::vector<std::string>{"sub"};
        s = index("ws-excl", "excl", o);
        QCOMPARE(s.removed, int64_t(3));
    }

    void anotherModelIsRefusedNamingBoth()
    {
        makeFolder("lock", 3);
        index("ws-lock", "lock");
        try {
            index("ws-lock", "lock", {}, &otherModel_);
            QFAIL("indexing with another model must be refused");
        } catch (const Error& e) {
            const QString msg = e.what();
            QVERIFY2(msg.contains("colour-old") && msg.contains("colour-other") && msg.contains("aaaaaaaaaaaa") &&
                         msg.contains("bbbbbbbbbbbb"),
                     e.what());
        }
        // Another gallery in the same workspace is fine.
        IndexRunOptions o;
        o.gallery = "other";
        QCOMPARE(index("ws-lock", "lock", o, &otherModel_).added, int64_t(3));
    }

    void searchEqualsBruteForceOverStoredVectors()
    {
        makeFolder("search", 40);
        index("ws-search", "search");
        const Workspace ws = Workspace::open(path("ws-search"), Workspace::Mode::ReadOnly);
        const GallerySearch search(ws, "default");
        const StoredVectors stored = store("ws-search").imageVectors();
        QCOMPARE(stored.ids.size(), size_t(40));

        SearchOptions all;
        all.k = 1000;
        const std::string query = path("search/img005.png");
        const SearchResults r = search.byImage(oldModel_, query, all);
        QCOMPARE(r.hits.size(), size_t(40));
        // The query image is in the gallery: it ranks first, score ~1.
        QCOMPARE(QString::fromStdString(r.hits[0].path), QStringLiteral("img005.png"));
        QVERIFY(std::abs(r.hits[0].score - 1.0f) < 1e-4f);
        std::vector<float> qv;
        for (size_t i = 0; i < stored.ids.size(); ++i)
            if (stored.ids[i] == r.hits[0].id)
                qv.assign(stored.vectors.row(static_cast<int64_t>(i)), stored.vectors.row(static_cast<int64_t>(i)) + 4);
        const SearchResults byVector = search.byVector(qv, modelSpace(oldModel_.info()), all);
        std::vector<int64_t> ids;
        for (size_t i = 0; i < byVector.hits.size(); ++i) {
            ids.push_back(byVector.hits[i].id);
            QCOMPARE(byVector.hits[i].rank, int(i) + 1);
        }
        QCOMPARE(ids.size(), stored.ids.size());
        const std::string differs = differsFromBruteForce(stored, qv, ids);
        QVERIFY2(differs.empty(), differs.c_str());
        SearchOptions top3;
        top3.k = 3;
        const SearchResults text = search.byText(oldModel_, "something red", top3);
        QCOMPARE(text.hits.size(), size_t(3));
        QVERIFY(text.hits[0].score >= text.hits[1].score && text.hits[1].score >= text.hits[2].score);
        QVERIFY(!text.incompatibleComparison);
        QCOMPARE(QString::fromStdString(text.root), QString::fromStdString(path("search")));
    }

    void foreignQueriesNeedExplicitConsent()
    {
        makeFolder("foreign", 5);
        index("ws-foreign", "foreign");
        const Workspace ws = Workspace::open(path("ws-foreign"), Workspace::Mode::ReadOnly);
        const GallerySearch search(ws, "default");
        SearchOptions o;
        try {
            search.byText(otherModel_, "red", o);
            QFAIL("a query of another model must be refused");
        } catch (const Error& e) {
            const QString msg = e.what();
            QVERIFY2(msg.contains("colour-old") && msg.contains("colour-other"), e.what());
        }
        o.allowIncompatible = true;
        const SearchResults r = search.byText(otherModel_, "red", o);
        QVERIFY(r.incompatibleComparison);
        QCOMPARE(r.hits.size(), size_t(5));
        QuerySpace adapted = modelSpace(oldModel_.info());
        adapted.adapterTarget = "some-adapter";
        QVERIFY_EXCEPTION_THROWN(search.byVector({1, 0, 0, 0}, adapted, {}), Error);
    }

    void float16GalleryStoresHalfValues()
    {
        makeFolder("half", 6);
        IndexRunOptions o;
        o.precision = VectorPrecision::Float16;
        index("ws-half", "half", o);
        const StoredVectors stored = store("ws-half").imageVectors();
        QCOMPARE(stored.ids.size(), size_t(6));
        for (float v : stored.vectors.data)
            QCOMPARE(halfToFloat(floatToHalf(v)), v);
        IndexRunOptions f32;
        f32.precision = VectorPrecision::Float32;
        QVERIFY_EXCEPTION_THROWN(index("ws-half", "half", f32), Error);
        // Search ranks by the stored (half) values.
        const Workspace ws = Workspace::open(path("ws-half"), Workspace::Mode::ReadOnly);
        const GallerySearch search(ws, "default");
        const std::vector<float> q(stored.vectors.row(2), stored.vectors.row(2) + 4);
        SearchOptions all;
        all.k = 100;
        const SearchResults r = search.byVector(q, modelSpace(oldModel_.info()), all);
        const std::vector<int64_t> expected = bruteForceOrder(stored, q);
        QCOMPARE(r.hits.size(), expected.size());
        QCOMPARE(r.hits[0].id, expected[0]);
    }

    void ivfIndexReportsRecall()
    {
        makeFolder("ivf", 90);
        IndexRunOptions o;
        o.indexType = IndexType::Ivf;
        o.batchSize = 16;
        const IndexRunSummary s = index("ws-ivf", "ivf", o);
        QCOMPARE(s.imageIndex.type, IndexType::Ivf);
        QVERIFY(s.imageIndex.rebuilt);
        QVERIFY(s.imageIndex.recallAt10 >= 0.0 && s.imageIndex.recallAt10 <= 1.0);
        QCOMPARE(s.imageIndex.vectors, int64_t(90));
        {
            const Workspace ws = Workspace::open(path("ws-ivf"), Workspace::Mode::ReadOnly);
            const GallerySearch search(ws, "default");
            SearchOptions all;
            all.k = 1000;
            QCOMPARE(search.byText(oldModel_, "blue", all).hits.size(), size_t(90));
        }
        // A few more images join the trained lists; a gallery that more than
        // doubles is trained again, with more lists.
        for (int i = 90; i < 100; ++i)
            writeBytes(path(QStringLiteral("ivf/more%1.png").arg(i)), pngBytes(colourOf(i)));
        IndexRunSummary grown = index("ws-ivf", "ivf", {});
        QVERIFY(!grown.imageIndex.rebuilt);
        QCOMPARE(grown.imageIndex.vectors, int64_t(100));
        for (int i = 100; i < 300; ++i)
            writeBytes(path(QStringLiteral("ivf/more%1.png").arg(i)), pngBytes(colourOf(i)));
        grown = index("ws-ivf", "ivf", {});
        QVERIFY(grown.imageIndex.rebuilt);
        QCOMPARE(grown.imageIndex.vectors, int64_t(300));
        QVERIFY(grown.imageIndex.nlist > s.imageIndex.nlist);
        // Switching back to flat rebuilds an exact index from the store.
        IndexRunOptions flat;
        flat.indexType = IndexType::Flat;
        const IndexRunSummary exact = index("ws-ivf", "ivf", flat);
        QCOMPARE(exact.imageIndex.type, IndexType::Flat);
        QVERIFY(exact.imageIndex.rebuilt);
        QCOMPARE(exact.imageIndex.vectors, int64_t(300));
    }

    void captionsAreEmbeddedAndReplaced()
    {
        makeFolder("cap", 4);
        QFile tsv(dir_.filePath("cap/captions.tsv"));
        QVERIFY(tsv.open(QIODevice::WriteOnly));
        tsv.write("img001.png\ta red thing\nimg001.png\tstill red\nimg002.png\ta green thing\n"
                  "missing.png\tno such image\n");
        tsv.close();
        IndexRunOptions o;
        o.captionsFile = tsv.fileName().toStdString();
        IndexRunSummary s = index("ws-cap", "cap", o);
        QCOMPARE(s.captionsAdded, int64_t(3));
        QCOMPARE(s.captionLinesSkipped, int64_t(1));
        QVERIFY(QString::fromStdString(s.captionProblems.at(0)).contains("line 4"));

        const Workspace ws = Workspace::open(path("ws-cap"), Workspace::Mode::ReadOnly);
        {
            const GallerySearch search(ws, "default");
            SearchOptions captions;
            captions.target = SearchTarget::Captions;
            captions.k = 10;
            const SearchResults r = search.byText(oldModel_, "green", captions);
            QCOMPARE(r.hits.size(), size_t(3));
            QCOMPARE(QString::fromStdString(r.hits[0].caption), QStringLiteral("a green thing"));
            QCOMPARE(QString::fromStdString(r.hits[0].path), QStringLiteral("img002.png"));
        }
        // Same file again: nothing to do. A changed caption list replaces the old one.
        s = index("ws-cap", "cap", o);
        QCOMPARE(s.captionsAdded, int64_t(0));
        QVERIFY(tsv.open(QIODevice::WriteOnly | QIODevice::Truncate));
        tsv.write("img001.png\tonly one now\nimg002.png\ta green thing\n");
        tsv.close();
        s = index("ws-cap", "cap", o);
        QCOMPARE(s.captionsRemoved, int64_t(2));
        QCOMPARE(s.captionsAdded, int64_t(1));
        QCOMPARE(store("ws-cap").counts().captions, int64_t(2));
        // A re-embedded image loses captions the run does not supply again.
        writeBytes(path("cap/img002.png"), pngBytes(colourOf(55)));
        s = index("ws-cap", "cap");
        QCOMPARE(s.changed, int64_t(1));
        QCOMPARE(store("ws-cap").counts().captions, int64_t(1));
    }

    // Side information (FCT): stored for every image and caption once the
    // gallery is asked to, what colorLayoutOfFile / hashedWordFeatures compute
    // from the file and the text; an existing gallery's items get theirs
    // without being embedded again; a changed file gets its new one; the
    // choice is remembered; a cancelled fill goes on next run.
    void sideInformationIsStoredAndFollowsContent()
    {
        makeFolder("side", 9);
        QFile tsv(dir_.filePath("side/captions.tsv"));
        QVERIFY(tsv.open(QIODevice::WriteOnly));
        tsv.write("img001.png\ta red thing\nimg002.png\ta green thing\n");
        tsv.close();
        IndexRunOptions o;
        o.captionsFile = tsv.fileName().toStdString();
        IndexRunSummary s = index("ws-side", "side", o);
        QCOMPARE(s.sideInformation.images, int64_t(0));
        QVERIFY(!store("ws-side").settings().sideInformation);

        // Cancelled during the fill: what was committed stays, the rest comes next run.
        CancelToken cancel;
        o.sideInformation = true;
        s = index("ws-side", "side", o, nullptr, cancel, [&](const Progress& p) {
            if (p.stage == "side information")
                cancel.cancel();
        });
        QVERIFY(s.cancelled);
        QCOMPARE(s.added, int64_t(0));
        QCOMPARE(s.sideInformation.images, int64_t(0));
        QVERIFY(store("ws-side").settings().sideInformation);
        o.sideInformation.reset();
        s = index("ws-side", "side", o);
        QVERIFY(!s.cancelled);
        QCOMPARE(s.added + s.changed, int64_t(0));
        QCOMPARE(s.sideInformation.images, int64_t(9));
        QCOMPARE(s.sideInformation.captions, int64_t(2));
        {
            const GalleryStore st = store("ws-side");
            QCOMPARE(st.sideInformationCounts().images, int64_t(9));
            const StoredVectors images = st.imageSideInformation(64);
            for (const StoredItem& item : st.items()) {
                const auto at = std::find(images.ids.begin(), images.ids.end(), item.id);
                QVERIFY(at != images.ids.end());
                const std::vector<float> expected = colorLayoutOfFile(path("side/" + QString::fromStdString(item.path)), 64);
                const float* got = images.vectors.row(at - images.ids.begin());
                for (size_t k = 0; k < expected.size(); ++k)
                    QVERIFY(std::abs(got[k] - expected[k]) < 1e-6f);
            }
            const StoredVectors captions = st.captionSideInformation(64);
            QCOMPARE(captions.vectors.rows, int64_t(2));
            for (int64_t r = 0; r < 2; ++r) {
                const std::vector<float> expected =
                    hashedWordFeatures(st.caption(captions.ids[size_t(r)])->text, 64);
                QVERIFY(std::equal(expected.begin(), expected.end(), captions.vectors.row(r)));
            }
        }
        // A changed file is embedded again and gets the side information of its new content.
        writeBytes(path("side/img005.png"), pngBytes(colourOf(77)));
        s = index("ws-side", "side");
        QCOMPARE(s.changed, int64_t(1));
        QCOMPARE(s.sideInformation.images, int64_t(1));
        QCOMPARE(s.sideInformation.captions, int64_t(0));
        const GalleryStore st = store("ws-side");
        QCOMPARE(st.sideInformationCounts().images, int64_t(9));
        for (const StoredItem& item : st.items())
            if (item.path == "img005.png") {
                const StoredVectors images = st.imageSideInformation(64);
                const auto at = std::find(images.ids.begin(), images.ids.end(), item.id);
                QVERIFY(at != images.ids.end());
                const std::vector<float> expected = colorLayoutOfFile(path("side/img005.png"), 64);
                QVERIFY(std::abs(images.vectors.row(at - images.ids.begin())[0] - expected[0]) < 1e-6f);
            }
    }

    void cancelStopsAfterTheBatchAndResumes()
    {
        makeFolder("cancel", 30);
        CancelToken cancel;
        IndexRunOptions o;
        o.batchSize = 4;
        const IndexRunSummary first = index("ws-cancel", "cancel", o, nullptr, cancel, [&](const Progress& p) {
            if (p.stage == "indexing images" && p.done >= 8)
                cancel.cancel();
        });
        QVERIFY(first.cancelled);
        QCOMPARE(first.added, int64_t(8));
        QCOMPARE(first.remaining, int64_t(22));
        QCOMPARE(store("ws-cancel").counts().embedded, int64_t(8));
        const IndexRunSummary second = index("ws-cancel", "cancel", o);
        QVERIFY(!second.cancelled);
        QCOMPARE(second.added, int64_t(22));
        QCOMPARE(second.unchanged, int64_t(8));
        const Workspace ws = Workspace::open(path("ws-cancel"), Workspace::Mode::ReadOnly);
        const GallerySearch search(ws, "default");
        SearchOptions all;
        all.k = 100;
        QCOMPARE(search.byText(oldModel_, "red", all).hits.size(), size_t(30));
    }

    // An unmounted drive leaves an empty mount point: indexing it must not
    // wipe the gallery. Nor may a missing or unreadable root.
    void emptyMissingOrUnreadableRootChangesNothing()
    {
        makeFolder("mnt", 6);
        IndexRunOptions o;
        o.captionsFile = writeTestFile(dir_, QStringLiteral("mnt/captions.tsv"), "img001.png\ta red one\n");
        index("ws-mnt", "mnt", o);
        QCOMPARE(store("ws-mnt").counts().embedded, int64_t(6));
        QCOMPARE(store("ws-mnt").counts().captions, int64_t(1));

        QVERIFY(QDir(dir_.filePath("mnt")).removeRecursively());
        QVERIFY(QDir().mkpath(dir_.filePath("mnt")));
        QString error = errorOf([&] { index("ws-mnt", "mnt"); });
        VERIFY_CONTAINS(error, QStringLiteral("no image files found"));
        VERIFY_CONTAINS(error, QStringLiteral("--allow-empty-root"));
        VERIFY_CONTAINS(error, QStringLiteral("xbt galleries --delete default"));
        QCOMPARE(store("ws-mnt").counts().embedded, int64_t(6));
        QCOMPARE(store("ws-mnt").counts().captions, int64_t(1));

        // A folder of other files is as empty.
        writeTestFile(dir_, QStringLiteral("mnt/notes.txt"), "not an image");
        QVERIFY(!errorOf([&] { index("ws-mnt", "mnt"); }).isEmpty());
        QCOMPARE(store("ws-mnt").counts().embedded, int64_t(6));

        {
            const PermissionsEnforced permissions;
            QVERIFY(QFile::setPermissions(dir_.filePath("mnt"), QFileDevice::Permissions()));
            error = errorOf([&] { index("ws-mnt", "mnt"); });
            QVERIFY(QFile::setPermissions(dir_.filePath("mnt"), QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                                    QFileDevice::ExeOwner));
        }
        VERIFY_CONTAINS(error, QStringLiteral("cannot list the folder"));
        QCOMPARE(store("ws-mnt").counts().embedded, int64_t(6));

        QVERIFY(QDir(dir_.filePath("mnt")).removeRecursively());
        QVERIFY(!errorOf([&] { index("ws-mnt", "mnt"); }).isEmpty());
        QCOMPARE(store("ws-mnt").counts().embedded, int64_t(6));

        // On purpose: the wipe goes ahead and says how much it removed.
        QVERIFY(QDir().mkpath(dir_.filePath("mnt")));
        o = {};
        o.allowEmptyRoot = true;
        const IndexRunSummary s = index("ws-mnt", "mnt", o);
        QCOMPARE(s.removed, int64_t(6));
        QCOMPARE(store("ws-mnt").counts().embedded, int64_t(0));
    }

    // Items under a folder that could not be listed are kept (and counted);
    // a file gone from a folder that was listed is removed.
    void unreadableFolderKeepsItsItems()
    {
        makeFolder("perm", 9);  // img000, img003, img006 in sub/
        index("ws-perm", "perm");
        QVERIFY(QFile::remove(dir_.filePath("perm/img001.png")));
        QVERIFY(QFile::remove(dir_.filePath("perm/sub/img003.png")));
        IndexRunSummary s;
        {
            const PermissionsEnforced permissions;
            QVERIFY(QFile::setPermissions(dir_.filePath("perm/sub"), QFileDevice::Permissions()));
            s = index("ws-perm", "perm");
            QVERIFY(QFile::setPermissions(dir_.filePath("perm/sub"), QFileDevice::ReadOwner |
                                                                         QFileDevice::WriteOwner |
                                                                         QFileDevice::ExeOwner));
        }
        QCOMPARE(s.removed, int64_t(1));
        QCOMPARE(s.keptUnscanned, int64_t(3));
        QCOMPARE(s.scanProblems.size(), size_t(1));
        QVERIFY2(QString::fromStdString(s.scanProblems.front()).startsWith(QStringLiteral("sub: cannot list")),
                 s.scanProblems.front().c_str());
        QCOMPARE(store("ws-perm").counts().embedded, int64_t(8));

        // Readable again: the file gone from it goes now; a folder removed
        // whole takes its items along.
        s = index("ws-perm", "perm");
        QCOMPARE(s.removed, int64_t(1));
        QCOMPARE(s.keptUnscanned, int64_t(0));
        QVERIFY(QDir(dir_.filePath("perm/sub")).removeRecursively());
        s = index("ws-perm", "perm");
        QCOMPARE(s.removed, int64_t(2));
        QCOMPARE(store("ws-perm").counts().embedded, int64_t(5));
    }

    // A workspace kept inside the folder it indexes: its own files (report
    // charts, thumbnails) are never indexed.
    void workspaceInsideTheFolderIsSkipped()
    {
        makeFolder("inner", 3);
        index("inner/ws", "inner");
        writeBytes(path("inner/ws/results/chart.png"), pngBytes(colourOf(50)));
        const IndexRunSummary s = index("inner/ws", "inner");
        QCOMPARE(s.scanned, int64_t(3));
        QCOMPARE(s.added, int64_t(0));
        QCOMPARE(store("inner/ws").counts().embedded, int64_t(3));
    }

    void rootOfAGalleryIsFixed()
    {
        makeFolder("rootA", 2);
        makeFolder("rootB", 2);
        index("ws-root", "rootA");
        QVERIFY_EXCEPTION_THROWN(index("ws-root", "rootB"), Error);
    }
};

QTEST_GUILESS_MAIN(TestGalleryIndexer)
#include "test_gallery_indexer.moc"

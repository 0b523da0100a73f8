// xbt bench search: how fast a gallery answers top-k queries by vector, and
// what it costs on disk, at growing sizes, against a bare FAISS flat index
// holding the same vectors (the bound: the gallery's flat index is one plus
// the store lookups of the hits).
//
// Random unit vectors stand in for embeddings: flat search time and storage
// do not depend on the values. They enter the gallery through the indexer's
// own paths (GalleryStore::commitItems, then GalleryIndex::add and save), so
// the measured gallery is the one `xbt index` would have written.
#include "app/xbt/Command.h"
#include "core/gallery/GalleryFiles.h"
#include "core/gallery/GalleryIndexer.h"
#include "core/gallery/GallerySearch.h"
#include "core/gallery/GalleryStore.h"
#include "core/workspace/Workspace.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/Progress.h"
#include "core/util/SystemInfo.h"

#include <faiss/IndexFlat.h>
#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace xbt::cli {

namespace {

namespace fs = std::filesystem;

constexpr uint32_t kSeed = 20261125;
// Rows per store transaction: large, since SQLite pays per commit (the
// indexer's batches of 32 are bounded by the model, not the store), yet
// bounded so that one batch of ItemUpdates stays a few tens of MB.
constexpr int64_t kRowsPerCommit = 50000;

std::vector<int64_t> parseSizes(const std::string& text)
{
    std::vector<int64_t> sizes;
    std::stringstream in(text);
    for (std::string part; std::getline(in, part, ',');) {
        char* end = nullptr;
        const long long v = std::strtoll(part.c_str(), &end, 10);
        if (part.empty() || *end != '\0' || v <= 0)
            throw UsageError("--sizes " + text + ": expected positive integers separated by commas");
        sizes.push_back(v);
    }
    if (sizes.empty())
        throw UsageError("--sizes: give at least one size");
    return sizes;
}

int64_t fileSize(const std::string& path)
{
    std::error_code ec;
    const auto s = fs::file_size(path, ec);
    return ec ? 0 : static_cast<int64_t>(s);
}

double percentile(std::vector<double> v, double p)
{
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5));
    return v[i];
}

struct Row {
    int64_t size = 0;
    VectorPrecision precision = VectorPrecision::Float32;
    double storeSeconds = 0.0;   // preparing and committing every row, closing the store
    double indexSeconds = 0.0;   // GalleryIndex::add of every row, then save
    double openSeconds = 0.0;    // GallerySearch: open the store, load the index file
    double galleryP50 = 0.0, galleryP95 = 0.0;
    double bareP50 = 0.0, bareP95 = 0.0;
    double agreement = 0.0;      // mean overlap of the gallery's top k with the bare index's
    int64_t storeBytes = 0;
    int64_t indexBytes = 0;
};

// Fills gallery `name` with `vectors` the way the indexer commits a batch.
void fillGallery(Workspace& workspace, const std::string& name, const Matrix& vectors, VectorPrecision precision,
                 Row& row)
{
    const GalleryFiles files = galleryFiles(workspace.galleryDir(name));
    const WorkspaceLock lock = workspace.lockGallery(name);
    createDirectories(files.dir);
    GallerySettings settings;
    settings.root = workspace.dir();
    settings.modelName = "bench-random";
    settings.modelFingerprint = "bench-random-" + std::to_string(vectors.cols);
    settings.embeddingDim = static_cast<int>(vectors.cols);
    settings.precision = precision;
    GalleryStore store = GalleryStore::create(files.database, settings);
    GalleryIndex images = GalleryIndex::loadOrBuild(imageIndexConfig(files, store.settings()), store.generation(),
                                                    [&] { return store.imageVectors(); });
    GalleryIndex captions = GalleryIndex::loadOrBuild(captionIndexConfig(files, store.settings()), store.generation(),
                                                      [&] { return store.captionVectors(); });
    for (int64_t begin = 0; begin < vectors.rows; begin += kRowsPerCommit) {
        const int64_t end = std::min(vectors.rows, begin + kRowsPerCommit);
        std::vector<ItemUpdate> updates(static_cast<size_t>(end - begin));
        Matrix added(0, vectors.cols);
        added.data.reserve(static_cast<size_t>((end - begin) * vectors.cols));
        for (int64_t i = begin; i < end; ++i) {
            ItemUpdate& u = updates[static_cast<size_t>(i - begin)];
            // Real-sized text columns (a camera-like path, a sha256 in hex)
            // so that the bytes per item are those of a photo gallery.
            const std::string number = std::to_string(i);
            const std::string padding(number.size() < 7 ? 7 - number.size() : 0, '0');
            u.path = "DCIM/100CANON/IMG_" + padding + number + ".JPG";
            u.size = 4000000 + i;
            u.mtimeNs = 1700000000000000000 + i;
            u.contentHash = std::string(64 - std::min<size_t>(64, number.size()), 'a') + number;
            u.status = ItemStatus::Embedded;
            u.madeBy = settings.modelFingerprint;
            u.embedding = storedVectorForm(vectors.row(i), vectors.cols, precision);
            added.data.insert(added.data.end(), u.embedding.begin(), u.embedding.end());
            ++added.rows;
        }
        const CommitResult committed = store.commitItems(updates);
        const double t0 = monotonicSeconds();
        images.add(committed.itemIds, added);
        row.indexSeconds += monotonicSeconds() - t0;
    }
    const double t0 = monotonicSeconds();
    images.save(store.generation());
    captions.save(store.generation());
    row.indexSeconds += monotonicSeconds() - t0;
}

void measure(Workspace& workspace, const Matrix& vectors, const Matrix& queries, int64_t k, Row& row)
{
    const std::string name = std::string("bench-") + std::to_string(row.size) + "-" + precisionName(row.precision);
    if (workspace.hasGallery(name))
        workspace.deleteGallery(name);
    // Insertion as a whole: preparing the rows, committing, closing the store
    // (which checkpoints its WAL), adding to and saving the index.
    double t0 = monotonicSeconds();
    fillGallery(workspace, name, vectors, row.precision, row);
    row.storeSeconds = monotonicSeconds() - t0 - row.indexSeconds;
    const GalleryFiles files = galleryFiles(workspace.galleryDir(name));
    // The store closed at the end of fillGallery, which checkpoints its WAL
    // into the database file; count a leftover WAL anyway.
    row.storeBytes = fileSize(files.database) + fileSize(files.database + "-wal");
    row.indexBytes = fileSize(files.imageIndex);

    t0 = monotonicSeconds();
    const GallerySearch search(workspace, name);
    row.openSeconds = monotonicSeconds() - t0;
    const GallerySettings& settings = search.settings();
    const QuerySpace space{settings.modelName, settings.modelFingerprint, {}};
    SearchOptions options;
    options.k = k;

    faiss::IndexFlatIP bare(static_cast<faiss::Index::idx_t>(vectors.cols));
    bare.add(static_cast<faiss::Index::idx_t>(vectors.rows), vectors.data.data());
    std::vector<float> scores(static_cast<size_t>(k));
    std::vector<faiss::Index::idx_t> labels(static_cast<size_t>(k));

    std::vector<double> galleryMs, bareMs;
    double overlap = 0.0;
    for (int64_t q = 0; q < queries.rows; ++q) {
        const std::vector<float> query(queries.row(q), queries.row(q) + queries.cols);
        t0 = monotonicSeconds();
        const SearchResults results = search.byVector(query, space, options);
        galleryMs.push_back(1000.0 * (monotonicSeconds() - t0));
        t0 = monotonicSeconds();
        bare.search(1, query.data(), k, scores.data(), labels.data());
        bareMs.push_back(1000.0 * (monotonicSeconds() - t0));
        // Store ids count from 1 in insertion order; the bare index from 0.
        int64_t same = 0;
        for (const SearchHit& h : results.hits)
            same += std::count(labels.begin(), labels.end(), static_cast<faiss::Index::idx_t>(h.id - 1));
        overlap += static_cast<double>(same) / static_cast<double>(std::min<int64_t>(k, vectors.rows));
    }
    row.galleryP50 = percentile(galleryMs, 0.50);
    row.galleryP95 = percentile(galleryMs, 0.95);
    row.bareP50 = percentile(bareMs, 0.50);
    row.bareP95 = percentile(bareMs, 0.95);
    row.agreement = overlap / static_cast<double>(queries.rows);
}

std::vector<VectorPrecision> parsePrecisions(const std::string& text)
{
    std::vector<VectorPrecision> out;
    std::stringstream in(text);
    for (std::string part; std::getline(in, part, ',');)
        out.push_back(parsePrecision(part));
    if (out.empty())
        throw UsageError("--precisions: give float32, float16 or both");
    return out;
}

int run(const CliArgs& args)
{
    const std::vector<int64_t> sizes = parseSizes(args.value("sizes", "10000,100000,1000000"));
    const std::vector<VectorPrecision> precisions = parsePrecisions(args.value("precisions", "float32,float16"));
    const int dim = args.intValue("dim", 128);
    const int queryCount = args.intValue("queries", 200);
    const int64_t k = args.intValue("k", 10);
    if (dim <= 0 || queryCount <= 0 || k <= 0)
        throw UsageError("--dim, --queries and -k must be positive");

    // A throw-away workspace unless the caller wants to keep (or inspect) it.
    const bool keep = args.has("workspace");
    std::string dir = args.value("workspace");
    if (!keep) {
        std::string pattern = (fs::temp_directory_path() / "xbt-bench-search-XXXXXX").string();
        if (!mkdtemp(pattern.data()))
            throw Error("cannot create a temporary workspace in " + fs::temp_directory_path().string());
        dir = pattern;
    }
    struct Cleanup {
        std::string dir;
        ~Cleanup()
        {
            std::error_code ec;
            if (!dir.empty())
                fs::remove_all(dir, ec);
        }
    } cleanup{keep ? std::string() : dir};

    std::printf("xbt bench search\n");
    std::printf("  machine : %s, %d cores\n", cpuModelName().c_str(), coreCount());
    std::printf("  BLAS    : %s\n", activeBlasLibrary().c_str());
    std::printf("  threads : %d (FAISS OpenMP)\n", omp_get_max_threads());
    std::printf("  gallery : flat index, random unit vectors of dim %d (seed %u), %d queries one at a time, k %lld\n",
                dim, kSeed, queryCount, static_cast<long long>(k));
    std::printf("  workspace: %s%s\n\n", dir.c_str(), keep ? " (kept)" : " (temporary, removed at the end)");
    std::fflush(stdout);

    Workspace workspace = Workspace::open(dir, Workspace::Mode::ReadWrite);
    const Matrix queries = randomUnitRows(queryCount, dim, kSeed + 1);
    std::vector<Row> rows;
    for (int64_t size : sizes) {
        const Matrix vectors = randomUnitRows(size, dim, kSeed);
        for (VectorPrecision p : precisions) {
            Row row;
            row.size = size;
            row.precision = p;
            measure(workspace, vectors, queries, k, row);
            std::fprintf(stderr, "  %lld %s: insert %.1f s, search p50 %.2f ms\n", static_cast<long long>(size),
                         precisionName(p), row.storeSeconds + row.indexSeconds, row.galleryP50);
            rows.push_back(row);
        }
    }

    std::printf("| items | vectors | insert s (store + index) | items/s | open s | gallery p50 / p95 ms "
                "| FAISS flat p50 / p95 ms | top-%lld agreement | store B/item | index B/item | total B/item |\n",
                static_cast<long long>(k));
    std::printf("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const Row& r : rows) {
        const double n = static_cast<double>(r.size);
        const double insert = r.storeSeconds + r.indexSeconds;
        std::printf("| %lld | %s | %.1f (%.1f + %.1f) | %.0f | %.2f | %.2f / %.2f | %.2f / %.2f | %.3f | %.0f | %.0f | %.0f |\n",
                    static_cast<long long>(r.size), precisionName(r.precision), insert, r.storeSeconds,
                    r.indexSeconds, n / insert, r.openSeconds, r.galleryP50, r.galleryP95, r.bareP50, r.bareP95,
                    r.agreement, static_cast<double>(r.storeBytes) / n, static_cast<double>(r.indexBytes) / n,
                    static_cast<double>(r.storeBytes + r.indexBytes) / n);
    }
    return kExitOk;
}

}  // namespace

Command makeBenchSearchCommand()
{
    return {"bench search",
            "time gallery search by vector and bulk insertion at growing sizes, against a bare FAISS flat index; "
            "prints a table",
            "xbt bench search [--sizes N,N,...] [--dim D] [--queries Q] [-k K] [--precisions float32,float16] "
            "[--workspace DIR]",
            {{"sizes", "N,N,...", "gallery sizes to measure (default 10000,100000,1000000)"},
             {"dim", "D", "vector dimension (default 128)"},
             {"queries", "Q", "queries per size, run one at a time (default 200)"},
             {"k", "K", "hits per query (default 10)"},
             {"precisions", "LIST", "how the store keeps vectors: float32, float16 or both (default both)"},
             {"workspace", "DIR", "keep the galleries in this workspace (default: a temporary one, removed)"}},
            run};
}

}  // namespace xbt::cli

#include "core/gallery/GalleryIndex.h"

#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/Progress.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/index_io.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <set>
#include <unistd.h>

namespace xbt {

using idx_t = faiss::Index::idx_t;

namespace {

// FAISS's k-means wants about 39 points per list; fewer lists than that
// leave lists nearly empty and recall suffers for no speed gain.
int defaultNlist(int64_t n)
{
    const auto bySqrt = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(n))));
    return static_cast<int>(std::max<int64_t>(1, std::min(bySqrt, n / 39)));
}

int defaultNprobe(int nlist) { return std::min(nlist, std::max(4, nlist / 4)); }

struct TopHits {
    std::vector<float> scores;
    std::vector<idx_t> ids;
};

TopHits topHits(const faiss::Index& index, const float* queries, int64_t n, int64_t k)
{
    TopHits hits{std::vector<float>(static_cast<size_t>(n * k)), std::vector<idx_t>(static_cast<size_t>(n * k))};
    index.search(n, queries, k, hits.scores.data(), hits.ids.data());
    return hits;
}

// Two scans of the same vectors sum in different orders (each CPU's SIMD
// kernels differ), so scores agree only to about this much.
constexpr float kScoreTolerance = 1e-5f;

}  // namespace

struct GalleryIndex::Impl {
    Config config;
    IndexBuildReport report;
    std::unique_ptr<faiss::Index> index;  // null: IVF with nothing trained yet
    bool needsBuild = false;
    int64_t trainedOn = 0;                // IVF: how many vectors its lists were trained on

    void resetFlat()
    {
        auto map = std::make_unique<faiss::IndexIDMap2>(new faiss::IndexFlatIP(config.dim));
        map->own_fields = true;
        index = std::move(map);
    }

    void checkDim(const Matrix& m) const
    {
        if (m.rows > 0 && m.cols != config.dim)
            throw Error(config.file + ": vectors of " + std::to_string(m.cols) + " values given to an index of " +
                        std::to_string(config.dim));
    }

    // Mean overlap of the IVF top 10 with the exact top 10, over up to 200
    // stored vectors used as queries. A hit scoring within float tolerance of
    // the exact 10th score counts: near-tied vectors at the cut swap places
    // between scans on some CPUs, and either one is a correct answer.
    double measureRecall(const faiss::IndexIVFFlat& ivf, const StoredVectors& stored) const
    {
        const int64_t n = stored.vectors.rows;
        const int64_t k = std::min<int64_t>(10, n);
        const int64_t queries = std::min<int64_t>(200, n);
        Matrix q(queries, stored.vectors.cols);
        for (int64_t i = 0; i < queries; ++i)
            std::memcpy(q.row(i), stored.vectors.row(i * n / queries), sizeof(float) * static_cast<size_t>(q.cols));
        faiss::IndexFlatIP exact(config.dim);
        exact.add(n, stored.vectors.data.data());
        const TopHits truth = topHits(exact, q.data.data(), queries, k);
        const TopHits found = topHits(ivf, q.data.data(), queries, k);
        double hits = 0;
        for (int64_t i = 0; i < queries; ++i) {
            std::set<idx_t> expected;
            for (int64_t j = 0; j < k; ++j)
                expected.insert(stored.ids[static_cast<size_t>(truth.ids[static_cast<size_t>(i * k + j)])]);
            const float cut = truth.scores[static_cast<size_t>(i * k + k - 1)];
            for (int64_t j = 0; j < k; ++j) {
                const auto at = static_cast<size_t>(i * k + j);
                const bool tiedAtCut = found.ids[at] >= 0 && found.scores[at] >= cut - kScoreTolerance;
                hits += expected.count(found.ids[at]) || tiedAtCut ? 1 : 0;
            }
        }
        return hits / static_cast<double>(queries * k);
    }

    void build(const StoredVectors& stored)
    {
        checkDim(stored.vectors);
        const double start = monotonicSeconds();
        const int64_t n = stored.vectors.rows;
        report = IndexBuildReport{};
        report.rebuilt = true;
        report.type = config.type;
        needsBuild = false;
        if (config.type == IndexType::Flat) {
            resetFlat();
            index->add_with_ids(n, stored.vectors.data.data(), stored.ids.data());
        } else if (n == 0) {
            index.reset();
        } else {
            const int nlist = config.nlist > 0 ? static_cast<int>(std::min<int64_t>(config.nlist, n)) : defaultNlist(n);
            const int nprobe = config.nprobe > 0 ? std::min(config.nprobe, nlist) : defaultNprobe(nlist);
            auto ivf = std::make_unique<faiss::IndexIVFFlat>(new faiss::IndexFlatIP(config.dim), config.dim,
                                                             static_cast<size_t>(nlist), faiss::METRIC_INNER_PRODUCT);
            ivf->own_fields = true;
            ivf->nprobe = static_cast<size_t>(nprobe);
            ivf->train(n, stored.vectors.data.data());
            ivf->add_with_ids(n, stored.vectors.data.data(), stored.ids.data());
            report.nlist = nlist;
            report.nprobe = nprobe;
            report.recallAt10 = measureRecall(*ivf, stored);
            index = std::move(ivf);
            trainedOn = n;
        }
        report.vectors = n;
        report.seconds = monotonicSeconds() - start;
    }

    bool loadFile(int64_t generation)
    {
        nlohmann::json side;
        try {
            side = nlohmann::json::parse(readFileBytes(config.file + ".json"));
            if (side.at("generation").get<int64_t>() != generation || side.at("dim").get<int>() != config.dim ||
                side.at("type").get<std::string>() != indexTypeName(config.type) ||
                side.at("requested_nlist").get<int>() != config.nlist ||
                side.at("requested_nprobe").get<int>() != config.nprobe)
                return false;
            if (side.at("vectors").get<int64_t>() == 0 && config.type == IndexType::Ivf) {
                index.reset();
            } else {
                requireRegularFile(config.file);  // fopen would block on a FIFO
                index.reset(faiss::read_index(config.file.c_str()));
                if (index->ntotal != side.at("vectors").get<int64_t>() || index->d != config.dim)
                    return false;
            }
            report = IndexBuildReport{};
            report.vectors = side.at("vectors").get<int64_t>();
            report.type = config.type;
            report.nlist = side.at("nlist").get<int>();
            report.nprobe = side.at("nprobe").get<int>();
            report.recallAt10 = side.at("recall_at_10").get<double>();
            trainedOn = side.at("trained_on").get<int64_t>();
            return true;
        } catch (const std::exception&) {
            // Missing, damaged or from another build: the store has everything to rebuild it.
            index.reset();
            return false;
        }
    }
};

GalleryIndex::GalleryIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GalleryIndex::GalleryIndex(GalleryIndex&&) noexcept = default;
GalleryIndex& GalleryIndex::operator=(GalleryIndex&&) noexcept = default;
GalleryIndex::~GalleryIndex() = default;

GalleryIndex GalleryIndex::loadOrBuild(const Config& config, int64_t generation,
                                       const std::function<StoredVectors()>& vectors)
{
    auto impl = std::make_unique<Impl>();
    impl->config = config;
    if (!impl->loadFile(generation))
        impl->build(vectors());
    return GalleryIndex(std::move(impl));
}

void GalleryIndex::build(const StoredVectors& stored) { impl_->build(stored); }

void GalleryIndex::add(const std::vector<int64_t>& ids, const Matrix& vectors)
{
    impl_->checkDim(vectors);
    if (ids.empty())
        return;
    if (!impl_->index) {
        impl_->needsBuild = true;
        return;
    }
    impl_->index->add_with_ids(vectors.rows, vectors.data.data(), ids.data());
    impl_->report.vectors = impl_->index->ntotal;
    // Lists trained on a much smaller gallery are too few and too coarse:
    // once the gallery has doubled, train again (from the store).
    if (impl_->config.type == IndexType::Ivf && impl_->index->ntotal > 2 * impl_->trainedOn)
        impl_->needsBuild = true;
}

void GalleryIndex::remove(const std::vector<int64_t>& ids)
{
    if (ids.empty() || !impl_->index)
        return;
    const faiss::IDSelectorBatch selector(static_cast<size_t>(ids.size()), ids.data());
    impl_->index->remove_ids(selector);
    impl_->report.vectors = impl_->index->ntotal;
}

bool GalleryIndex::needsBuild() const { return impl_->needsBuild; }

void GalleryIndex::save(int64_t generation) const
{
    if (impl_->needsBuild)
        return;  // the sidecar stays stale: the next open rebuilds from the store
    const std::string& file = impl_->config.file;
    if (impl_->index) {
        writeFileAtomicWith(file, [&](const std::string& tmp) {
            try {
                faiss::write_index(impl_->index.get(), tmp.c_str());
            } catch (const faiss::FaissException& e) {
                throw Error(file + ": cannot write the index (" + e.what() + ")");
            }
        });
    }
    const IndexBuildReport& r = impl_->report;
    const nlohmann::json side = {{"generation", generation},
                                 {"dim", impl_->config.dim},
                                 {"type", indexTypeName(impl_->config.type)},
                                 {"requested_nlist", impl_->config.nlist},
                                 {"requested_nprobe", impl_->config.nprobe},
                                 {"vectors", impl_->index ? impl_->index->ntotal : 0},
                                 {"nlist", r.nlist},
                                 {"nprobe", r.nprobe},
                                 {"recall_at_10", r.recallAt10},
                                 {"trained_on", impl_->trainedOn}};
    writeFileAtomic(file + ".json", side.dump(2) + "\n");
}

int64_t GalleryIndex::size() const { return impl_->index ? impl_->index->ntotal : 0; }
const IndexBuildReport& GalleryIndex::report() const { return impl_->report; }

std::vector<IndexHit> GalleryIndex::search(const float* query, int64_t k) const
{
    const int64_t n = size();
    if (n == 0 || k <= 0)
        return {};
    const int64_t kk = std::min(k, n);
    faiss::SearchParametersIVF exhaustive;
    const faiss::SearchParameters* params = nullptr;
    if (auto* ivf = dynamic_cast<const faiss::IndexIVF*>(impl_->index.get()); ivf && k >= n) {
        // Probing every list makes IVF exact: "the whole gallery, ranked".
        exhaustive.nprobe = ivf->nlist;
        params = &exhaustive;
    }
    std::vector<float> scores(static_cast<size_t>(kk));
    std::vector<idx_t> ids(static_cast<size_t>(kk));
    impl_->index->search(1, query, kk, scores.data(), ids.data(), params);
    std::vector<IndexHit> hits;
    for (int64_t i = 0; i < kk; ++i)
        if (ids[static_cast<size_t>(i)] >= 0)
            hits.push_back({ids[static_cast<size_t>(i)], scores[static_cast<size_t>(i)]});
    return hits;
}

}  // namespace xbt

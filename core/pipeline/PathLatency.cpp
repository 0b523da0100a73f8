#include "core/pipeline/PathLatency.h"

#include "core/eval/RetrievalRecall.h"
#include "core/pipeline/SearchReranker.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"
#include "core/util/Sha256.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <numeric>

namespace xbt {

namespace {

const EmbeddingSpace* spaceNamed(const std::vector<EmbeddingSpace>& spaces, const std::string& name)
{
    for (const EmbeddingSpace& s : spaces)
        if (s.name == name)
            return &s;
    return nullptr;
}

// The gallery rows of the `k` highest scores of one query (its scores
// computed here: the search's own work).
std::vector<int64_t> search(const Matrix& query, const Matrix& gallery, int k)
{
    const Matrix scores = innerProducts(query, gallery);
    std::vector<int64_t> idx(static_cast<size_t>(scores.cols));
    std::iota(idx.begin(), idx.end(), int64_t(0));
    const auto kk = std::min<int64_t>(k, scores.cols);
    const float* row = scores.row(0);
    std::partial_sort(idx.begin(), idx.begin() + kk, idx.end(), [&](int64_t a, int64_t b) { return row[a] > row[b]; });
    idx.resize(static_cast<size_t>(kk));
    return idx;
}

// A query's leading `dims` values, renormalised (a compatible model's
// old-comparable part; 0: the whole vector).
Matrix comparablePart(const Matrix& q, int64_t dims)
{
    if (dims <= 0 || dims >= q.cols)
        return q;
    Matrix out(1, dims);
    double norm = 0.0;
    for (int64_t d = 0; d < dims; ++d)
        norm += static_cast<double>(q.at(0, d)) * q.at(0, d);
    const double scale = norm > 0 ? 1.0 / std::sqrt(norm) : 0.0;
    for (int64_t d = 0; d < dims; ++d)
        out.at(0, d) = static_cast<float>(q.at(0, d) * scale);
    return out;
}

// Times `run` once per query after one warm-up call.
QueryLatency timeEach(const std::vector<std::string>& queries, const std::function<void(const std::string&)>& run,
                      const CancelToken& cancel)
{
    run(queries.front());
    std::vector<double> ms;
    for (const std::string& q : queries) {
        cancel.throwIfCancelled();
        const double t0 = monotonicSeconds();
        run(q);
        ms.push_back(1000.0 * (monotonicSeconds() - t0));
    }
    return latencyPercentiles(std::move(ms));
}

}  // namespace

QueryLatency latencyPercentiles(std::vector<double> ms)
{
    if (ms.empty())
        return {};
    std::sort(ms.begin(), ms.end());
    const auto at = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))]; };
    return {static_cast<int>(ms.size()), at(0.5), at(0.95)};
}

void measurePathLatencies(EvaluationOutcome& outcome, const std::vector<EmbeddingSpace>& spaces,
                          const CaptionedSplit& split, const PathLatencyModels& models, int queries,
                          const CancelToken& cancel)
{
    const EmbeddingSpace* old = spaceNamed(spaces, "old");
    const EmbeddingSpace* fresh = spaceNamed(spaces, "new");
    if (!old || !fresh || !models.oldModel || !models.newModel || split.captions.empty() || queries <= 0)
        return;
    std::vector<std::string> texts;
    const size_t n = std::min(split.captions.size(), static_cast<size_t>(queries));
    for (size_t i = 0; i < n; ++i)
        texts.push_back(split.captions[i * split.captions.size() / n]);

    // A re-ranking checks each candidate file against the hash it was
    // indexed with, as a real search does; the hashes are what an index holds.
    std::vector<std::string> hashes;
    const auto imageHashes = [&]() -> const std::vector<std::string>& {
        if (hashes.empty())
            for (const std::string& image : split.images)
                hashes.push_back(sha256File((std::filesystem::path(split.root) / image).string()));
        return hashes;
    };
    const auto encode = [](EmbeddingModel& m, const std::string& t) { return m.encodeTexts({t}); };
    const int top = 10;

    for (ConfigurationResult& c : outcome.configurations) {
        if (!c.comparable)
            continue;
        std::function<void(const std::string&)> run;
        switch (c.role) {
        case ConfigurationRole::Today:
            run = [&](const std::string& t) { search(encode(*models.oldModel, t), old->images, top); };
            break;
        case ConfigurationRole::Backfill:
            run = [&](const std::string& t) { search(encode(*models.newModel, t), fresh->images, top); };
            break;
        case ConfigurationRole::Adapter: {
            const auto it = models.adapters.find(c.adapter);
            if (it == models.adapters.end())
                continue;
            EmbeddingModel* adapted = it->second;
            run = [&, adapted](const std::string& t) { search(encode(*adapted, t), old->images, top); };
            break;
        }
        case ConfigurationRole::Compatible: {
            const auto it = models.compatible.find(c.querySpace);
            const EmbeddingSpace* space = spaceNamed(spaces, c.querySpace);
            if (it == models.compatible.end() || !space)
                continue;
            EmbeddingModel* model = it->second;
            const int64_t dims = space->comparableDims;
            run = [&, model, dims](const std::string& t) {
                search(comparablePart(encode(*model, t), dims), old->images, top);
            };
            break;
        }
        case ConfigurationRole::Rerank: {
            const auto it = models.adapters.find(c.adapter);
            if (it == models.adapters.end() || c.rerankK <= 0)
                continue;
            EmbeddingModel* adapted = it->second;
            const int k = c.rerankK;
            const std::vector<std::string>& indexed = imageHashes();
            run = [&, adapted, k](const std::string& t) {
                SearchResults results;
                results.root = split.root;
                results.target = SearchTarget::Images;
                for (int64_t g : search(encode(*adapted, t), old->images, std::max(k, top))) {
                    SearchHit h;
                    h.id = h.itemId = g;
                    h.path = split.images[static_cast<size_t>(g)];
                    h.contentHash = indexed[static_cast<size_t>(g)];
                    results.hits.push_back(std::move(h));
                }
                rerankHits(results, *models.newModel, encode(*models.newModel, t), k, nullptr);
            };
            break;
        }
        default:
            continue;
        }
        c.textQueryLatency = timeEach(texts, run, cancel);
    }
    BackfillCurve& curve = outcome.backfillCurve;
    if (!curve.empty()) {
        const auto it = models.adapters.find(curve.adapter);
        if (it != models.adapters.end()) {
            // Both spaces searched in full: the cost at any share backfilled
            // is at most this (the mixed search scores each item once).
            EmbeddingModel* adapted = it->second;
            curve.mixedTextQueryLatency = timeEach(
                texts,
                [&, adapted](const std::string& t) {
                    search(encode(*adapted, t), old->images, top);
                    search(encode(*models.newModel, t), fresh->images, top);
                },
                cancel);
        }
    }
}

}  // namespace xbt

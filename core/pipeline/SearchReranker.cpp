#include "core/pipeline/SearchReranker.h"

#include "core/embed/BatchEmbedder.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"
#include "core/util/Sha256.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>

namespace xbt {

namespace fs = std::filesystem;


std::string describeRerank(const RerankReport& r)
{
    std::ostringstream s;
    s << "re-ranked the top " << r.k << " with " << r.model << ": " << r.reembedded << " re-embedded now, " << r.reused
      << " reused";
    if (r.missing > 0)
        s << ", " << r.missing << " skipped (file missing or unreadable)";
    if (r.changed > 0)
        s << ", " << r.changed << " skipped (file changed since indexing)";
    if (r.stored > 0)
        s << ", " << r.stored << " kept in the new-model store";
    else if (!r.notStored.empty())
        s << " (" << r.notStored << ")";
    s.setf(std::ios::fixed);
    s.precision(1);
    s << ", " << 1000.0 * r.seconds << " ms";
    return s.str();
}

namespace {

void appendRow(Matrix& m, const float* values)
{
    m.data.insert(m.data.end(), values, values + m.cols);
    ++m.rows;
}

RerankReport rerankInPlace(SearchResults& results, EmbeddingModel& newModel, const Matrix& newQuery, int k,
                           const NewModelStore* store)
{
    if (newQuery.rows != 1 || newQuery.cols != newModel.embeddingDim())
        throw Error("re-ranking needs the query embedded by " + newModel.info().name + " (one row of " +
                    std::to_string(newModel.embeddingDim()) + " values)");
    const double start = monotonicSeconds();
    RerankReport report;
    report.k = k;
    report.model = newModel.info().name;
    std::vector<SearchHit>& hits = results.hits;
    const size_t candidates = std::min(hits.size(), static_cast<size_t>(std::max(k, 0)));
    // Which candidates can be re-scored, and their new embeddings.
    std::vector<size_t> scored;
    Matrix embeddings;
    if (results.target == SearchTarget::Captions) {
        std::vector<std::string> texts;
        for (size_t i = 0; i < candidates; ++i) {
            texts.push_back(hits[i].caption);
            scored.push_back(i);
        }
        if (!texts.empty())
            embeddings = newModel.encodeTexts(texts);
    } else {
        // Candidates the new-model store already holds are reused; the rest
        // are read again from their files.
        std::map<int64_t, std::vector<float>> known;
        if (store) {
            std::vector<int64_t> ids;
            for (size_t i = 0; i < candidates; ++i)
                ids.push_back(hits[i].itemId);
            known = store->find(ids);
        }
        std::vector<ImageInput> inputs;
        std::vector<size_t> toEmbed;
        std::vector<size_t> reused;
        for (size_t i = 0; i < candidates; ++i) {
            if (known.count(hits[i].itemId)) {
                reused.push_back(i);
                continue;
            }
            const std::string file = (fs::path(results.root) / hits[i].path).string();
            std::error_code ec;
            if (!fs::is_regular_file(file, ec)) {
                ++report.missing;
                continue;
            }
            if (!hits[i].contentHash.empty() && sha256File(file) != hits[i].contentHash) {
                ++report.changed;
                continue;
            }
            inputs.push_back({file, hits[i].path});
            toEmbed.push_back(i);
        }
        embeddings.cols = newModel.embeddingDim();
        for (size_t i : reused) {
            appendRow(embeddings, known[hits[i].itemId].data());
            scored.push_back(i);
        }
        report.reused = static_cast<int64_t>(reused.size());
        if (!inputs.empty()) {
            BatchEmbedder embedder(newModel, {static_cast<int>(std::min<size_t>(inputs.size(), 64)), 2});
            const ImageEmbedResult r = embedder.embedImages(inputs);
            report.missing += static_cast<int64_t>(r.failures.size());  // unreadable now: as good as gone
            std::vector<SecondSpaceImage> fresh;
            for (size_t j = 0; j < r.succeeded.size(); ++j) {
                const size_t hit = toEmbed[r.succeeded[j]];
                const float* row = r.embeddings.row(static_cast<int64_t>(j));
                appendRow(embeddings, row);
                scored.push_back(hit);
                fresh.push_back({hits[hit].itemId, hits[hit].contentHash,
                                 std::vector<float>(row, row + r.embeddings.cols)});
            }
            report.reembedded = static_cast<int64_t>(fresh.size());
            if (store && !fresh.empty())
                report.stored = store->keep(fresh, &report.notStored);
        }
    }
    if (results.target == SearchTarget::Captions)
        report.reembedded = static_cast<int64_t>(scored.size());
    for (size_t j = 0; j < scored.size(); ++j) {
        double dot = 0.0;
        for (int64_t d = 0; d < embeddings.cols; ++d)
            dot += static_cast<double>(embeddings.at(static_cast<int64_t>(j), d)) * newQuery.at(0, d);
        SearchHit& h = hits[scored[j]];
        h.reranked = true;
        h.rerankScore = static_cast<float>(dot);
    }
    // Re-scored candidates by new score, then the other candidates, then the rest.
    std::stable_partition(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(candidates),
                          [](const SearchHit& h) { return h.reranked; });
    std::stable_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(scored.size()),
                     [](const SearchHit& a, const SearchHit& b) { return a.rerankScore > b.rerankScore; });
    for (size_t i = 0; i < hits.size(); ++i)
        hits[i].rank = static_cast<int>(i + 1);
    report.seconds = monotonicSeconds() - start;
    return report;
}

}  // namespace

RerankReport rerankHits(SearchResults& results, EmbeddingModel& newModel, const Matrix& newQuery, int k,
                        const NewModelStore* store)
{
    results.rerank = rerankInPlace(results, newModel, newQuery, k, store);
    return results.rerank;
}

}  // namespace xbt

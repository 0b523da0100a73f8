#include "core/pipeline/SearchReranker.h"

#include "core/embed/BatchEmbedder.h"
#include "core/util/Error.h"
#include "core/util/Progress.h"
#include "core/util/Sha256.h"

#include <algorithm>
#include <filesystem>
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
    s.setf(std::ios::fixed);
    s.precision(1);
    s << ", " << 1000.0 * r.seconds << " ms";
    return s.str();
}

namespace {

RerankReport rerankInPlace(SearchResults& results, EmbeddingModel& newModel, const Matrix& newQuery, int k)
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
        std::vector<ImageInput> inputs;
        for (size_t i = 0; i < candidates; ++i) {
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
            scored.push_back(i);
        }
        if (!inputs.empty()) {
            BatchEmbedder embedder(newModel, {static_cast<int>(std::min<size_t>(inputs.size(), 64)), 2});
            const ImageEmbedResult r = embedder.embedImages(inputs);
            report.missing += static_cast<int64_t>(r.failures.size());  // unreadable now: as good as gone
            std::vector<size_t> kept;
            for (size_t row : r.succeeded)
                kept.push_back(scored[row]);
            scored = kept;
            embeddings = r.embeddings;
        }
    }
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

RerankReport rerankHits(SearchResults& results, EmbeddingModel& newModel, const Matrix& newQuery, int k)
{
    results.rerank = rerankInPlace(results, newModel, newQuery, k);
    return results.rerank;
}

}  // namespace xbt

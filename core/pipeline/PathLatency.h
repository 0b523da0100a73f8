#pragma once
// What one text query costs on each path of the upgrade decision table
// (issue 17), measured the way a deployment serves it: the query encoded by
// the path's model(s), one query at a time; the evaluated split's gallery
// scored exhaustively (as a flat index does) and its top hits picked; for a
// re-ranking, the top K re-embedded from their image files (read, hashed,
// decoded, embedded) and re-scored, with no new-model store to reuse: the
// cold case. Sets each path configuration's textQueryLatency and the
// backfill curve's mixedTextQueryLatency; rows it cannot time stay unset.

#include "core/data/CaptionedSplit.h"
#include "core/eval/EvaluationResults.h"
#include "core/model/EmbeddingModel.h"
#include "core/util/Progress.h"

#include <map>
#include <string>
#include <vector>

namespace xbt {

struct PathLatencyModels {
    EmbeddingModel* oldModel = nullptr;
    EmbeddingModel* newModel = nullptr;
    // Each query adapter's queries as deployed (interpolated with the old
    // query when the adapter says so), by adapter name.
    std::map<std::string, EmbeddingModel*> adapters;
    // Models trained compatible with the old one, by query space name
    // ("new" when the new model itself is one).
    std::map<std::string, EmbeddingModel*> compatible;
};

// p50 and p95 of per-query milliseconds (what `xbt bench query` prints too).
QueryLatency latencyPercentiles(std::vector<double> ms);

// `spaces`: the evaluation's (their galleries are what the queries search);
// `split`: the evaluated split (its captions are the queries, its image
// files what a re-ranking re-embeds). `queries`: how many captions, spread
// over the split.
void measurePathLatencies(EvaluationOutcome& outcome, const std::vector<EmbeddingSpace>& spaces,
                          const CaptionedSplit& split, const PathLatencyModels& models, int queries = 50,
                          const CancelToken& cancel = {});

}  // namespace xbt

#pragma once
// Paths between "adapter only" and "re-embed everything" (issue 17),
// measured on an evaluation split where both the old and the new model
// embedded every item:
//   - re-ranking: the top K of the adapter's search of the old gallery,
//     re-scored in the new model's space (those K items re-embedded);
//   - a partial backfill: some gallery items re-embedded with the new model;
//     a search scores those in the new space and the rest through the
//     adapter, mixing the two kinds of scores raw or calibrated.
// Every function returns pessimistic ranks (RetrievalRecall.h) of one
// direction's queries.

#include "core/data/CaptionedSplit.h"
#include "core/eval/ConfigurationEvaluation.h"
#include "core/eval/RetrievalRecall.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace xbt {

// One direction of a split seen two ways: the first stage (the adapter's
// queries against the OLD gallery) and the new space (new queries against
// new gallery items), over the same queries and gallery items.
struct TwoSpaceScores {
    Matrix firstStage;  // [Q, G]
    Matrix newSpace;    // [Q, G]
    std::vector<std::vector<int64_t>> relevant;  // gallery rows relevant to each query
    // The image each gallery item belongs to (T2I: itself; I2T: a caption's
    // image): re-embedding an image re-embeds its captions with it.
    std::vector<int64_t> imageOfItem;
};

// `adapted`: the adapter's queries (images and texts in the old space);
// `old`, `fresh`: the old and the new model's embeddings of the split.
TwoSpaceScores twoSpaceScores(RetrievalDirection d, const EmbeddingSpace& adapted, const EmbeddingSpace& old,
                              const EmbeddingSpace& fresh, const CaptionedSplit& split);

// The first stage's top k re-scored in the new space (placed first, by new
// score), the rest after them in first-stage order.
std::vector<int64_t> rerankedRanks(const TwoSpaceScores& s, int k);
// The distinct images a re-ranking at k re-embeds over all queries (T2I:
// the candidates; I2T: captions only, which are texts).
int64_t rerankedImages(const TwoSpaceScores& s, int k);

// How the two kinds of score are put on one scale before they are mixed:
// each space's cosine mapped to scale * cosine + bias. Identity: raw mixing.
struct ScoreCalibration {
    double firstScale = 1.0, firstBias = 0.0;
    double newScale = 1.0, newBias = 0.0;
    bool fitted = false;
};
// Fits the new space's map (the first stage's stays the identity) on a
// VALIDATION split's scores: the grid pair whose mixed search has the
// highest R@1 + R@5 + R@10 over seeded random backfills of 10-75% of the
// images. Raw mixing is on the grid and wins ties.
ScoreCalibration fitScoreCalibration(const TwoSpaceScores& validation, uint64_t seed = 0);

// Gallery items of backfilled images are scored in the new space, the rest
// by the first stage, each through its calibration. 0% equals the first
// stage, 100% the new space.
std::vector<int64_t> mixedRanks(const TwoSpaceScores& s, const std::vector<char>& imageBackfilled,
                                const ScoreCalibration& calibration = {});

enum class BackfillOrder {
    Random,    // a seeded shuffle
    Crowding,  // images in the most crowded old neighbourhoods first (see .cpp)
    Queries    // images most often in the top 10 of a query log first
};
const char* backfillOrderName(BackfillOrder o);  // "random", "uncertainty", "queries"

// The order images are backfilled in. `oldImages`: the old gallery's image
// embeddings; `logQueries` (Queries only): the query log mapped into the
// old space (e.g. by the adapter), each row one query.
std::vector<int64_t> backfillOrder(BackfillOrder order, const Matrix& oldImages, const Matrix& logQueries,
                                   uint64_t seed);

// The same orders over a gallery of `n` images whose neighbours come from
// an index (a real gallery's FAISS index) instead of a dense matrix.
struct Neighbour {
    int64_t row = 0;   // image row, 0..n-1
    float score = 0.0f;
};
// The best `k` images by old-space inner product with image row `image`
// (when >= 0) or with log query row `query`, best first.
using NeighbourSearch = std::function<std::vector<Neighbour>(int64_t image, int64_t query, int k)>;
std::vector<int64_t> backfillOrder(BackfillOrder order, int64_t n, const NeighbourSearch& neighbours,
                                   const Matrix& logQueries, uint64_t seed);

}  // namespace xbt

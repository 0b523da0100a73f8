#pragma once
// Recall@K for image-text retrieval, following ../shared/METHODS.md: each
// caption belongs to exactly one image. T2I: a caption's query is a hit at K
// when its image ranks within the top K. I2T: an image's query is a hit when
// any of its own captions ranks within the top K.
//
// Tie rule (pessimistic): an item ranks after every other item whose score is
// greater than OR EQUAL to its own. A model that gives everything the same
// score therefore gets recall near zero, never a perfect score by luck of
// ordering.
//
// "Equal" allows for float rounding (kTieTolerance): two items that a model
// embeds identically in exact arithmetic (a bag-of-words text encoder and two
// captions with the same words in another order, a duplicate image) come out
// of float32 inference and BLAS a few units in the last place apart, in a
// direction that depends on the summation order, i.e. on the CPU's kernels.
// Compared exactly, such a tie would be decided by rounding: a coin flip that
// differs between machines and moves recall by whole points.

#include "core/eval/Bootstrap.h"
#include "core/util/Matrix.h"

#include <array>
#include <cstdint>
#include <vector>

namespace xbt {

enum class RetrievalDirection { TextToImage, ImageToText };
constexpr RetrievalDirection kRetrievalDirections[] = {RetrievalDirection::TextToImage,
                                                       RetrievalDirection::ImageToText};
// A direction's name in results.json and recall.csv: "text_to_image" or "image_to_text".
const char* directionKey(RetrievalDirection d);

// The K values a RecallSummary keeps, and tables, the compatibility criterion
// and gain recovery report.
constexpr std::array<int, 3> kReportedK = {1, 5, 10};

struct DirectionRecall {
    // ranks[q] = 1-based rank of query q's first relevant item.
    std::vector<int64_t> ranks;
    // recallAt(K) for K = 1..maxK, as fractions in [0, 1].
    std::vector<double> curve;
    double recallAt(int k) const;  // K beyond the curve: the last value
    double meanRank() const;
    double medianRank() const;
};

struct RetrievalRecall {
    DirectionRecall textToImage;
    DirectionRecall imageToText;
    const DirectionRecall& in(RetrievalDirection d) const;
};

// images [I, D], texts [T, D], textToImage[t] = image row of text t.
// maxK is capped at the gallery size of each direction.
RetrievalRecall computeRetrievalRecall(const Matrix& images, const Matrix& texts,
                                       const std::vector<int64_t>& textToImage, int maxK = 100);
// Queries and galleries from different embedding spaces (e.g. new-model
// queries against an old-model gallery): T2I ranks galleryImages for each row
// of queryTexts, I2T ranks galleryTexts for each row of queryImages. Rows of
// the two image matrices are the same images, and likewise for texts.
RetrievalRecall computeCrossRecall(const Matrix& queryTexts, const Matrix& galleryImages, const Matrix& queryImages,
                                   const Matrix& galleryTexts, const std::vector<int64_t>& textToImage,
                                   int maxK = 100);

// A direction's recall curve up to min(maxK, gallerySize) from its ranks.
DirectionRecall recallFromRanks(std::vector<int64_t> ranks, int64_t gallerySize, int maxK);

// R@1/5/10 and ranks over some of a direction's queries (all when `subset` is null).
struct RecallSummary {
    int64_t queries = 0;
    double r1 = 0, r5 = 0, r10 = 0;
    double meanRank = 0, medianRank = 0;
    // 95% bootstrap intervals of r1, r5, r10 (see Bootstrap.h); [r, r] when not computed.
    Interval ci1, ci5, ci10;
    // r1, r5 or r10 and its interval by K (one of kReportedK); throws
    // xbt::Error for another K.
    double recallAt(int k) const;
    const Interval& intervalAt(int k) const;
};
RecallSummary summarizeRanks(const std::vector<int64_t>& ranks, const std::vector<size_t>* subset = nullptr,
                             const BootstrapOptions& bootstrap = {0, 0, 0.95});

// Scores closer than this (relative to the larger of 1 and the score's
// magnitude) count as tied. Float32 cosines of equal items differ by about
// 1e-7; distinct items a real model separates differ by far more. On the
// sample world no ranking changes anywhere between 1e-6 and 1e-4.
constexpr double kTieTolerance = 1e-5;
// Human-readable tie rule for results.json and the report.
extern const char* const kTieRuleDescription;

// The 1-based pessimistic rank of each query's best relevant item:
// scores [Q, G]; relevant(q) lists gallery rows relevant to query q.
std::vector<int64_t> pessimisticRanks(const Matrix& scores, const std::vector<std::vector<int64_t>>& relevant);
// queries [Q, D] x gallery [G, D]^T (BLAS sgemm).
Matrix innerProducts(const Matrix& queries, const Matrix& gallery);

}  // namespace xbt

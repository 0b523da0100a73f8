#pragma once
// Negative flips (the regressions a user notices after an upgrade): the share
// of a direction's queries that today's system (old->old) answers right
// within K and a configuration answers wrong. A fraction of ALL the
// direction's queries, as in Yan et al. (CVPR 2021), so it reads like a
// recall: R@K(config) >= R@K(today) - flips@K.

#include "core/eval/RetrievalRecall.h"

#include <optional>
#include <string>
#include <vector>

namespace xbt {

// The K values flips are reported at.
constexpr int kFlipK[] = {1, 10};
constexpr size_t kMaxListedFlips = 200;

struct DirectionFlips {
    double at1 = 0.0;   // fraction of queries
    double at10 = 0.0;
    // The queries flipped at R@1, as a user would type or pick them again:
    // caption texts (text-to-image) or image paths (image-to-text), at most
    // kMaxListedFlips of them (set by evaluateSpaces; empty in older files).
    std::vector<std::string> flippedAt1;
    double at(int k) const { return k == 1 ? at1 : at10; }
};

struct NegativeFlips {
    std::optional<DirectionFlips> textToImage;
    std::optional<DirectionFlips> imageToText;
    const std::optional<DirectionFlips>& in(RetrievalDirection d) const
    {
        return d == RetrievalDirection::TextToImage ? textToImage : imageToText;
    }
};

// Indexes of the queries today ranks within K and `ranks` does not. Throws
// xbt::Error when the two rank lists are not over the same queries.
std::vector<size_t> flippedQueries(const std::vector<int64_t>& todayRanks, const std::vector<int64_t>& ranks, int k);
DirectionFlips directionFlips(const std::vector<int64_t>& todayRanks, const std::vector<int64_t>& ranks);

}  // namespace xbt

#include "core/eval/NegativeFlips.h"

#include "core/util/Error.h"

namespace xbt {

std::vector<size_t> flippedQueries(const std::vector<int64_t>& todayRanks, const std::vector<int64_t>& ranks, int k)
{
    if (todayRanks.size() != ranks.size())
        throw Error("negative flips: today's ranks cover " + std::to_string(todayRanks.size()) +
                    " queries, the configuration's " + std::to_string(ranks.size()) +
                    "; both must rank the same queries");
    std::vector<size_t> flipped;
    for (size_t q = 0; q < ranks.size(); ++q)
        if (todayRanks[q] <= k && ranks[q] > k)
            flipped.push_back(q);
    return flipped;
}

DirectionFlips directionFlips(const std::vector<int64_t>& todayRanks, const std::vector<int64_t>& ranks)
{
    DirectionFlips f;
    if (ranks.empty())
        return f;
    const double n = static_cast<double>(ranks.size());
    f.at1 = static_cast<double>(flippedQueries(todayRanks, ranks, 1).size()) / n;
    f.at10 = static_cast<double>(flippedQueries(todayRanks, ranks, 10).size()) / n;
    return f;
}

}  // namespace xbt

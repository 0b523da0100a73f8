#pragma once
// References shared by the gallery tests.

#include "core/eval/RetrievalRecall.h"
#include "core/gallery/GalleryStore.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <string>

namespace xbt::test {

// Ids of the stored rows, best first, by brute-force inner product; ties keep
// id order.
inline std::vector<int64_t> bruteForceOrder(const StoredVectors& stored, const std::vector<float>& query)
{
    Matrix q(1, static_cast<int64_t>(query.size()));
    q.data = query;
    const Matrix scores = innerProducts(q, stored.vectors);
    std::vector<size_t> order(stored.ids.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        return scores.at(0, static_cast<int64_t>(a)) > scores.at(0, static_cast<int64_t>(b));
    });
    std::vector<int64_t> ids;
    for (size_t i : order)
        ids.push_back(stored.ids[i]);
    return ids;
}

// Empty when `ids` (best first) is the brute-force ranking of `query` up to
// near ties: the item at each rank scores, in double precision, within
// 1e-5 of the rank's exact score. Two CPUs sum inner products in different
// orders, so items closer than that may swap; anything else is a wrong
// ranking, described in the returned text.
inline std::string differsFromBruteForce(const StoredVectors& stored, const std::vector<float>& query,
                                         const std::vector<int64_t>& ids)
{
    std::map<int64_t, double> score;
    for (size_t i = 0; i < stored.ids.size(); ++i) {
        double dot = 0.0;
        for (int64_t j = 0; j < stored.vectors.cols; ++j)
            dot += double(stored.vectors.at(static_cast<int64_t>(i), j)) * double(query[static_cast<size_t>(j)]);
        score[stored.ids[i]] = dot;
    }
    std::vector<double> sorted;
    for (const auto& [id, s] : score)
        sorted.push_back(s);
    std::sort(sorted.rbegin(), sorted.rend());
    for (size_t rank = 0; rank < ids.size(); ++rank) {
        const auto it = score.find(ids[rank]);
        if (it == score.end())
            return "rank " + std::to_string(rank + 1) + ": id " + std::to_string(ids[rank]) + " is not stored";
        if (std::abs(it->second - sorted[rank]) > 1e-5)
            return "rank " + std::to_string(rank + 1) + ": id " + std::to_string(ids[rank]) + " scores " +
                   std::to_string(it->second) + ", the rank's exact score is " + std::to_string(sorted[rank]);
    }
    return {};
}

}  // namespace xbt::test

#pragma once
// References shared by the gallery tests.

#include "core/eval/RetrievalRecall.h"
#include "core/gallery/GalleryStore.h"

#include <algorithm>
#include <numeric>

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

}  // namespace xbt::test

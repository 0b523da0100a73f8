#pragma once
// Pieces every training loop in the engine shares, so that the base-model
// trainer and the adapter trainers schedule and order data the same way.

#include <cstdint>
#include <vector>

namespace xbt {

// Linear warm-up from peak/warmupSteps to `peak` over the first `warmupSteps`
// steps, then cosine decay to zero at `totalSteps`.
double warmupCosineRate(double peak, int64_t warmupSteps, int64_t step, int64_t totalSteps);

// The items 0..n-1 of an epoch in an order that depends only on (seed,
// epoch): mt19937_64's output is fixed by the standard, and the index mapping
// is our own (the standard distributions are implementation-defined), so a
// resumed run replays the same batches. With `twins`, an item and its twin
// (twins[i], or -1) are shuffled as one unit and stay adjacent.
std::vector<int64_t> epochOrder(uint64_t seed, int64_t epoch, int64_t n, const std::vector<int64_t>& twins = {});

}  // namespace xbt

#pragma once
// Percentile-bootstrap confidence intervals for recall@K: the queries are
// resampled with replacement `samples` times and the interval is read off the
// resampled recalls. Deterministic for a seed, so reports are reproducible.

#include <cstdint>
#include <vector>

namespace xbt {

struct Interval {
    double low = 0.0;
    double high = 0.0;
    bool overlaps(const Interval& other) const { return low <= other.high && other.low <= high; }
};

struct BootstrapOptions {
    int samples = 1000;      // 0: no intervals (each is [R, R])
    uint64_t seed = 0;
    double confidence = 0.95;
};

// One interval per entry of `ks`, from the 1-based ranks of the queries.
std::vector<Interval> bootstrapRecallIntervals(const std::vector<int64_t>& ranks, const std::vector<int>& ks,
                                               const BootstrapOptions& options);

}  // namespace xbt

#include "core/eval/Bootstrap.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace xbt {

std::vector<Interval> bootstrapRecallIntervals(const std::vector<int64_t>& ranks, const std::vector<int>& ks,
                                               const BootstrapOptions& options)
{
    std::vector<Interval> out(ks.size());
    const size_t n = ranks.size();
    if (n == 0)
        return out;
    if (options.samples <= 0) {
        for (size_t j = 0; j < ks.size(); ++j) {
            const double r = static_cast<double>(std::count_if(ranks.begin(), ranks.end(),
                                                               [&](int64_t x) { return x <= ks[j]; })) /
                             static_cast<double>(n);
            out[j] = {r, r};
        }
        return out;
    }
    // mt19937_64 and a hand-rolled index draw (not uniform_int_distribution,
    // whose algorithm differs between standard libraries) keep the intervals
    // identical on every machine.
    std::mt19937_64 rng(options.seed);
    std::vector<std::vector<double>> recalls(ks.size(), std::vector<double>(static_cast<size_t>(options.samples)));
    std::vector<int64_t> hits(ks.size());
    for (int s = 0; s < options.samples; ++s) {
        std::fill(hits.begin(), hits.end(), 0);
        for (size_t i = 0; i < n; ++i) {
            const int64_t rank = ranks[static_cast<size_t>(rng() % n)];
            for (size_t j = 0; j < ks.size(); ++j)
                hits[j] += rank <= ks[j];
        }
        for (size_t j = 0; j < ks.size(); ++j)
            recalls[j][static_cast<size_t>(s)] = static_cast<double>(hits[j]) / static_cast<double>(n);
    }
    const double tail = (1.0 - options.confidence) / 2.0;
    for (size_t j = 0; j < ks.size(); ++j) {
        std::vector<double>& v = recalls[j];
        std::sort(v.begin(), v.end());
        const auto at = [&](double q) {
            const size_t i = static_cast<size_t>(std::clamp<double>(std::floor(q * static_cast<double>(v.size() - 1) + 0.5), 0.0,
                                                                    static_cast<double>(v.size() - 1)));
            return v[i];
        };
        out[j] = {at(tail), at(1.0 - tail)};
    }
    return out;
}

}  // namespace xbt

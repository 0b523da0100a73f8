#include "core/train/TrainingSchedule.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace xbt {

double warmupCosineRate(double peak, int64_t warmupSteps, int64_t step, int64_t totalSteps)
{
    if (step < warmupSteps)
        return peak * static_cast<double>(step + 1) / static_cast<double>(warmupSteps);
    const double progress =
        static_cast<double>(step - warmupSteps) / static_cast<double>(std::max<int64_t>(1, totalSteps - warmupSteps));
    return peak * 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, progress)));
}

std::vector<int64_t> epochOrder(uint64_t seed, int64_t epoch, int64_t n, const std::vector<int64_t>& twins)
{
    std::vector<std::vector<int64_t>> units;
    for (int64_t i = 0; i < n; ++i) {
        const int64_t twin = twins.empty() ? -1 : twins[static_cast<size_t>(i)];
        if (twin >= 0 && twin < n && twin < i)
            continue;  // already placed with its twin
        units.push_back(twin > i && twin < n ? std::vector<int64_t>{i, twin} : std::vector<int64_t>{i});
    }
    std::mt19937_64 rng(seed * 1000003ULL + static_cast<uint64_t>(epoch) + 1);
    for (size_t i = units.size() - 1; i > 0 && !units.empty(); --i)
        std::swap(units[i], units[rng() % (i + 1)]);
    std::vector<int64_t> order;
    order.reserve(static_cast<size_t>(n));
    for (const auto& unit : units)
        order.insert(order.end(), unit.begin(), unit.end());
    return order;
}

}  // namespace xbt

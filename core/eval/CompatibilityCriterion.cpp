#include "core/eval/CompatibilityCriterion.h"

#include <cmath>

namespace xbt {

const char* verdictName(CriterionVerdict v)
{
    switch (v) {
    case CriterionVerdict::Pass: return "pass";
    case CriterionVerdict::Fail: return "fail";
    case CriterionVerdict::WithinNoise: return "within noise";
    }
    return "?";
}

CriterionVerdict compatibilityVerdict(double adapted, const Interval& adaptedInterval, double today,
                                      const Interval& todayInterval)
{
    if (adaptedInterval.overlaps(todayInterval))
        return CriterionVerdict::WithinNoise;
    return adapted > today ? CriterionVerdict::Pass : CriterionVerdict::Fail;
}

std::optional<double> gainRecovery(double adapted, double today, double backfill)
{
    const double gap = backfill - today;
    if (!(gap > 1e-12))
        return std::nullopt;
    return (adapted - today) / gap;
}

}  // namespace xbt

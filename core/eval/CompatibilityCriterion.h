#pragma once
// The compatibility criterion and gain recovery of ../shared/METHODS.md:
//   compatible when M(new+phi -> old) > M(old -> old), per direction and K;
//   G = (M(new+phi->old) - M(old->old)) / (M(new->new) - M(old->old)).
// On small galleries a point's difference is noise: when the two bootstrap
// intervals overlap the verdict is "within noise" rather than pass or fail.

#include "core/eval/Bootstrap.h"

#include <optional>
#include <string>

namespace xbt {

enum class CriterionVerdict { Pass, Fail, WithinNoise };

const char* verdictName(CriterionVerdict v);  // "pass", "fail", "within noise"

CriterionVerdict compatibilityVerdict(double adapted, const Interval& adaptedInterval, double today,
                                      const Interval& todayInterval);

// Unset when the new model is no better than the old one (G is undefined).
std::optional<double> gainRecovery(double adapted, double today, double backfill);

}  // namespace xbt

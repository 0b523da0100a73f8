#pragma once
// Which adapter to deploy (issue 16), decided on VALIDATION figures only:
// each adapter's metrics.validation, stored when it was trained with a
// validation split, as deployed (interpolation included). The evaluated
// split never chooses.
//
//   1. an adapter qualifies when its validation recall is above today's
//      (old->old) at R@1, R@5 and R@10 in both directions (point estimates,
//      the METHODS criterion);
//   2. among qualifying adapters the highest validation R@1+R@5+R@10 (both
//      directions) wins; within 1 point of it, fewer validation negative
//      flips at R@1 win;
//   3. none qualifies: keep today's system.
// An adapter without validation figures is listed but never recommended.
// Figures ranked under another tie rule than today's (an adapter trained
// before ties within float rounding counted as ties, whose image-to-text
// figures may be overstated) still count, and the reason says to retrain.

#include "core/adapt/AdapterInfo.h"
#include "core/eval/EvaluationResults.h"

#include <vector>

namespace xbt {

Recommendation recommendAdapter(const std::vector<AdapterInfo>& adapters);

}  // namespace xbt

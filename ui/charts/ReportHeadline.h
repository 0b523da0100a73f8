#pragma once
// The sentences at the top of the report, computed from the numbers, for a
// reader who will read nothing else.

#include "core/eval/EvaluationResults.h"

#include <QString>

namespace xbt::charts {

// The configuration the headline speaks for: the comparable adapter (else
// gallery transform) with the best text-to-image R@1; nullptr when none.
const ConfigurationResult* headlineConfiguration(const EvaluationOutcome& results);

// Plain text, e.g. "With adapter 'xbt', new-model text queries on the old
// gallery find the right image first 52.3% of the time, vs 43.6% today (full
// backfill: 68.5%). Image queries ..."
QString reportHeadline(const EvaluationOutcome& results);

// What the headline's adapter means for the decision: where it meets the
// compatibility criterion and how much of the backfill's gain it recovers.
// Empty when the evaluation has no verdict for it.
QString reportVerdict(const EvaluationOutcome& results);

}  // namespace xbt::charts

#pragma once
// Chooses a query adapter's interpolation with the old query
// (QueryInterpolation.h) on the validation split, per direction:
//   1. today's recall is a = 0 (exactly the old model's query);
//   2. a weight qualifies when it is above today's at R@1, R@5 and R@10
//      (point estimates, the METHODS criterion);
//   3. the qualifying weight with the highest R@1 + R@5 + R@10 wins; when none
//      qualifies the direction keeps today's query (a = 0), so a direction is
//      never made worse on validation than it is today.
// The test split never takes part.

#include "core/adapt/QueryInterpolation.h"
#include "core/adapt/training/AdapterValidation.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace xbt {

struct InterpolationRequest {
    nlohmann::json weight = "auto";  // "auto" or a fixed number in [0, 1]
    std::string kind = "auto";       // "auto", "linear" or "spherical"
    std::vector<double> grid;        // the weights "auto" tries
    // Without a validation split "auto" cannot choose: this weight is used.
    double fallbackWeight = 1.0;
};

struct InterpolationChoice {
    QueryInterpolation interpolation;
    nlohmann::json report;  // what was tried and why this one (metrics.interpolation)
};

// `mappedTexts` / `mappedImages`: the adapter's queries of the validation
// split (rows as in validation.newSpace()); `mappedImages` may be empty
// (text-only adapters), then image queries keep the adapter alone.
InterpolationChoice chooseInterpolation(const AdapterValidation& validation, const Matrix& mappedTexts,
                                        const Matrix& mappedImages, const InterpolationRequest& request);

}  // namespace xbt

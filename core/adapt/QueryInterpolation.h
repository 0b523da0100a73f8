#pragma once
// Interpolation of an adapted query with the OLD model's own embedding of the
// same query (issue 16; SLERP, Ricci et al.). The old encoders are today's
// production models and stay available at query time, so a query can be
//
//   linear:     q = normalize((1 - a) old(x) + a phi(new(x)))
//   spherical:  q = slerp(old(x), phi(new(x)), a) along the great circle
//
// a = 0 is exactly today's query, a = 1 the adapter alone. Each direction has
// its own weight: text queries (text-to-image) and image queries
// (image-to-text). Chosen on validation when an adapter is trained
// (InterpolationChoice.h) and stored in its adapter.json.

#include "core/util/Matrix.h"

#include <nlohmann/json.hpp>

#include <string>

namespace xbt {

enum class InterpolationKind { Linear, Spherical };
const char* interpolationKindName(InterpolationKind kind);  // "linear", "spherical"

// How one direction's queries are interpolated.
struct InterpolationSide {
    InterpolationKind kind = InterpolationKind::Linear;
    double weight = 1.0;  // a: 0 today's query, 1 the adapter alone
    bool usesOld() const { return weight < 1.0; }
};

struct QueryInterpolation {
    InterpolationSide texts;   // text queries (text-to-image)
    InterpolationSide images;  // image queries (image-to-text)
    // How the weights were set: "validation", "fixed", or why not chosen
    // ("no validation split: ..."). Empty: adapters saved before interpolation.
    std::string chosenBy;

    bool active() const { return texts.usesOld() || images.usesOld(); }
    // "off (the adapter alone)" or "texts spherical a=0.6, images linear a=0.4"
    std::string describe() const;

    nlohmann::json toJson() const;
    // Throws xbt::Error naming `source` and the field at fault.
    static QueryInterpolation fromJson(const nlohmann::json& j, const std::string& source);
};

// One unit vector between `oldRow` and `adaptedRow` (both unit length, `dims`
// values), written to `out`. Linear: the normalised weighted sum (a zero sum,
// which only opposite inputs at a = 0.5 give, falls back to today's query).
// Spherical: the great-circle point; identical inputs give that vector, and
// opposite ones turn through a fixed direction orthogonal to `oldRow`.
void interpolateUnitVector(const float* oldRow, const float* adaptedRow, int64_t dims, double a,
                           InterpolationKind kind, float* out);

// Row-wise interpolation of two [N, D] matrices of unit rows. a = 0 returns
// `oldRows` and a = 1 `adaptedRows` unchanged (bit for bit). Throws
// xbt::Error when the shapes differ or a is outside [0, 1].
Matrix interpolateRows(const Matrix& oldRows, const Matrix& adaptedRows, double a, InterpolationKind kind);

}  // namespace xbt

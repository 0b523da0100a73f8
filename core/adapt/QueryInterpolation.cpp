#include "core/adapt/QueryInterpolation.h"

#include "core/util/Error.h"

#include <cmath>
#include <sstream>
#include <vector>

namespace xbt {

using nlohmann::json;

const char* interpolationKindName(InterpolationKind kind)
{
    return kind == InterpolationKind::Spherical ? "spherical" : "linear";
}

std::string QueryInterpolation::describe() const
{
    if (!active())
        return "off (the adapter alone)";
    std::ostringstream s;
    s << "texts " << interpolationKindName(texts.kind) << " a=" << texts.weight << ", images "
      << interpolationKindName(images.kind) << " a=" << images.weight;
    return s.str();
}

json QueryInterpolation::toJson() const
{
    const auto side = [](const InterpolationSide& x) {
        return json{{"kind", interpolationKindName(x.kind)}, {"weight", x.weight}};
    };
    return {{"texts", side(texts)}, {"images", side(images)}, {"chosen_by", chosenBy}};
}

QueryInterpolation QueryInterpolation::fromJson(const json& j, const std::string& source)
{
    const auto fail = [&](const std::string& field, const std::string& what) {
        throw Error(source + ": field 'interpolation" + (field.empty() ? "" : "." + field) + "' " + what +
                    "; the adapter file is damaged or was not written by xbt: train the adapter again");
    };
    if (!j.is_object())
        fail("", "must be a JSON object");
    QueryInterpolation q;
    for (const auto& [key, side] : {std::pair<const char*, InterpolationSide*>{"texts", &q.texts},
                                    std::pair<const char*, InterpolationSide*>{"images", &q.images}}) {
        if (!j.contains(key))
            continue;
        const json& x = j[key];
        if (!x.is_object())
            fail(key, "must be a JSON object");
        const std::string kind = x.value("kind", std::string("linear"));
        if (kind == "spherical")
            side->kind = InterpolationKind::Spherical;
        else if (kind != "linear")
            fail(std::string(key) + ".kind", "is '" + kind + "'; expected 'linear' or 'spherical'");
        if (x.contains("weight")) {
            if (!x["weight"].is_number())
                fail(std::string(key) + ".weight", "must be a number");
            side->weight = x["weight"].get<double>();
            if (!(side->weight >= 0.0 && side->weight <= 1.0))
                fail(std::string(key) + ".weight", "must lie in [0, 1]");
        }
    }
    if (j.contains("chosen_by") && j["chosen_by"].is_string())
        q.chosenBy = j["chosen_by"].get<std::string>();
    return q;
}

namespace {

double dot(const float* x, const float* y, int64_t n)
{
    double s = 0.0;
    for (int64_t i = 0; i < n; ++i)
        s += static_cast<double>(x[i]) * y[i];
    return s;
}

// A unit vector orthogonal to `v`: the basis axis least aligned with it,
// with its component along v removed (deterministic for a given v).
std::vector<double> orthogonalTo(const float* v, int64_t n)
{
    int64_t axis = 0;
    for (int64_t i = 1; i < n; ++i)
        if (std::fabs(v[i]) < std::fabs(v[axis]))
            axis = i;
    std::vector<double> u(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        u[static_cast<size_t>(i)] = -static_cast<double>(v[axis]) * v[i];
    u[static_cast<size_t>(axis)] += 1.0;
    double norm = 0.0;
    for (double x : u)
        norm += x * x;
    norm = std::sqrt(norm);
    for (double& x : u)
        x /= norm;
    return u;
}

}  // namespace

void interpolateUnitVector(const float* o, const float* p, int64_t n, double a, InterpolationKind kind, float* out)
{
    std::vector<double> q(static_cast<size_t>(n));
    if (kind == InterpolationKind::Linear) {
        for (int64_t i = 0; i < n; ++i)
            q[static_cast<size_t>(i)] = (1.0 - a) * o[i] + a * p[i];
    } else {
        const double c = std::max(-1.0, std::min(1.0, dot(o, p, n)));
        const double theta = std::acos(c);
        const double s = std::sin(theta);
        if (s < 1e-6 && c > 0.0) {
            // The same direction: every point of the arc is that vector.
            for (int64_t i = 0; i < n; ++i)
                q[static_cast<size_t>(i)] = (1.0 - a) * o[i] + a * p[i];
        } else if (s < 1e-6) {
            // Opposite: any great circle joins them; take a fixed one.
            const std::vector<double> u = orthogonalTo(o, n);
            const double angle = a * M_PI;
            for (int64_t i = 0; i < n; ++i)
                q[static_cast<size_t>(i)] = std::cos(angle) * o[i] + std::sin(angle) * u[static_cast<size_t>(i)];
        } else {
            const double wo = std::sin((1.0 - a) * theta) / s;
            const double wp = std::sin(a * theta) / s;
            for (int64_t i = 0; i < n; ++i)
                q[static_cast<size_t>(i)] = wo * o[i] + wp * p[i];
        }
    }
    double norm = 0.0;
    for (double x : q)
        norm += x * x;
    norm = std::sqrt(norm);
    if (!(norm > 1e-9)) {
        // Opposite inputs halfway (linear): no direction; keep today's query.
        for (int64_t i = 0; i < n; ++i)
            out[i] = o[i];
        return;
    }
    for (int64_t i = 0; i < n; ++i)
        out[i] = static_cast<float>(q[static_cast<size_t>(i)] / norm);
}

Matrix interpolateRows(const Matrix& oldRows, const Matrix& adaptedRows, double a, InterpolationKind kind)
{
    if (oldRows.rows != adaptedRows.rows || oldRows.cols != adaptedRows.cols)
        throw Error("query interpolation: the old model's embeddings are " + std::to_string(oldRows.rows) + " x " +
                    std::to_string(oldRows.cols) + ", the adapter's " + std::to_string(adaptedRows.rows) + " x " +
                    std::to_string(adaptedRows.cols) + "; both must embed the same queries in the old space");
    if (!(a >= 0.0 && a <= 1.0))
        throw Error("query interpolation weight " + std::to_string(a) + " is outside [0, 1]");
    if (a == 0.0)
        return oldRows;
    if (a == 1.0)
        return adaptedRows;
    Matrix out(oldRows.rows, oldRows.cols);
    for (int64_t r = 0; r < oldRows.rows; ++r)
        interpolateUnitVector(oldRows.row(r), adaptedRows.row(r), oldRows.cols, a, kind, out.row(r));
    return out;
}

}  // namespace xbt

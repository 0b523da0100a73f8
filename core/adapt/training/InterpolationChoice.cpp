#include "core/adapt/training/InterpolationChoice.h"

#include "core/eval/RetrievalRecall.h"
#include "core/util/Error.h"

#include <array>

namespace xbt {

using nlohmann::json;

namespace {

using Recalls = std::array<double, 3>;  // R@1, R@5, R@10

Recalls recallsOf(const DirectionRecall& d) { return {d.recallAt(1), d.recallAt(5), d.recallAt(10)}; }

json recallJson(const Recalls& r) { return {{"R@1", r[0]}, {"R@5", r[1]}, {"R@10", r[2]}}; }

bool aboveToday(const Recalls& r, const Recalls& today)
{
    return r[0] > today[0] && r[1] > today[1] && r[2] > today[2];
}

double sum(const Recalls& r) { return r[0] + r[1] + r[2]; }

struct Candidate {
    InterpolationKind kind = InterpolationKind::Linear;
    double weight = 0.0;
    Recalls recalls{};
};

// Best qualifying candidate of one direction, or today's query (a = 0).
// `fixedWeight`: every candidate has the weight asked for; only the kind is
// chosen (the highest sum), whether or not it beats today.
Candidate choose(const std::vector<Candidate>& tried, const Recalls& today, bool fixedWeight)
{
    Candidate best;
    best.recalls = today;
    bool found = false;
    for (const Candidate& c : tried)
        if ((fixedWeight || aboveToday(c.recalls, today)) && (!found || sum(c.recalls) > sum(best.recalls))) {
            best = c;
            found = true;
        }
    return best;
}

std::vector<InterpolationKind> kindsOf(const std::string& kind)
{
    if (kind == "linear")
        return {InterpolationKind::Linear};
    if (kind == "spherical")
        return {InterpolationKind::Spherical};
    if (kind == "auto")
        return {InterpolationKind::Linear, InterpolationKind::Spherical};
    throw Error("interpolation '" + kind + "' is not one of auto, linear, spherical");
}

}  // namespace

InterpolationChoice chooseInterpolation(const AdapterValidation& validation, const Matrix& mappedTexts,
                                        const Matrix& mappedImages, const InterpolationRequest& request)
{
    InterpolationChoice out;
    QueryInterpolation& q = out.interpolation;
    const std::vector<InterpolationKind> kinds = kindsOf(request.kind);
    q.texts.kind = q.images.kind = kinds.front();
    const bool fixed = !request.weight.is_string();
    if (fixed) {
        const double a = request.weight.get<double>();
        if (!(a >= 0.0 && a <= 1.0))
            throw Error("interpolate " + request.weight.dump() + " must lie in [0, 1]");
        q.texts.weight = q.images.weight = a;
        q.chosenBy = "fixed";
    }
    if (!validation.hasSplit() || (fixed && kinds.size() == 1)) {
        if (!fixed) {
            q.texts.weight = q.images.weight = request.fallbackWeight;
            q.chosenBy = "no validation split: a = " + json(request.fallbackWeight).dump() + " (not chosen)";
        }
        out.report = {{"chosen_by", q.chosenBy}, {"interpolation", q.toJson()}};
        return out;
    }
    const EmbeddingSpace& old = validation.oldSpace();
    const std::vector<int64_t>& truth = validation.split().captionImage;
    const bool images = mappedImages.rows > 0;
    const RetrievalRecall todayRecall = computeCrossRecall(old.texts, old.images, old.images, old.texts, truth, 10);
    const Recalls todayT2I = recallsOf(todayRecall.textToImage);
    const Recalls todayI2T = recallsOf(todayRecall.imageToText);

    const std::vector<double> grid = fixed ? std::vector<double>{request.weight.get<double>()} : request.grid;
    std::vector<Candidate> textsTried, imagesTried;
    json tried = json::array();
    for (InterpolationKind kind : kinds)
        for (double a : grid) {
            const Matrix t = interpolateRows(old.texts, mappedTexts, a, kind);
            const Matrix i = images ? interpolateRows(old.images, mappedImages, a, kind) : old.images;
            const RetrievalRecall r = computeCrossRecall(t, old.images, i, old.texts, truth, 10);
            textsTried.push_back({kind, a, recallsOf(r.textToImage)});
            json row = {{"kind", interpolationKindName(kind)}, {"a", a}, {"T2I", recallJson(textsTried.back().recalls)}};
            if (images) {
                imagesTried.push_back({kind, a, recallsOf(r.imageToText)});
                row["I2T"] = recallJson(imagesTried.back().recalls);
            }
            tried.push_back(row);
        }
    const auto side = [&](const std::vector<Candidate>& candidates, const Recalls& today, InterpolationSide& out) {
        const Candidate c = choose(candidates, today, fixed);
        out.kind = c.weight > 0.0 ? c.kind : kinds.front();
        out.weight = c.weight;
        return json{{"kind", interpolationKindName(out.kind)}, {"a", c.weight}, {"recall", recallJson(c.recalls)}};
    };
    json chosen = {{"T2I", side(textsTried, todayT2I, q.texts)}};
    if (images)
        chosen["I2T"] = side(imagesTried, todayI2T, q.images);
    if (!fixed)
        q.chosenBy = "validation";
    out.report = {{"chosen_by", q.chosenBy},
                  {"interpolation", q.toJson()},
                  {"rule", "per direction: above today (a = 0) at R@1, R@5 and R@10, then the highest R@1 + R@5 + "
                           "R@10; none above today: a = 0 (today's query)"},
                  {"today", {{"T2I", recallJson(todayT2I)}, {"I2T", recallJson(todayI2T)}}},
                  {"chosen", chosen},
                  {"tried", tried}};
    return out;
}

}  // namespace xbt

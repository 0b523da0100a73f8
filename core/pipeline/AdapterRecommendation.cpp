#include "core/pipeline/AdapterRecommendation.h"

#include "core/eval/RetrievalRecall.h"

#include <cstdio>
#include <optional>

namespace xbt {

using nlohmann::json;

namespace {

const char* const kDirections[] = {"T2I", "I2T"};
const char* const kKs[] = {"R@1", "R@5", "R@10"};

struct Candidate {
    std::string name;
    bool qualifies = false;
    double score = 0.0;  // R@1+R@5+R@10 of both directions, percent
    double flips = 0.0;  // negative flips at R@1, both directions summed, percent
    std::string why;     // why it does not qualify, or where its intervals overlap
    bool staleTies = false;  // its validation figures were ranked under an earlier tie rule
    double t2i = 0.0, i2t = 0.0, todayT2i = 0.0, todayI2t = 0.0;
};

std::string percent(double fraction)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f", 100.0 * fraction);
    return buffer;
}

double value(const json& j, const char* direction, const char* k)
{
    return j.contains(direction) && j[direction].contains(k) ? j[direction][k].get<double>() : -1.0;
}

std::optional<Candidate> candidateOf(const AdapterInfo& info)
{
    Candidate c;
    c.name = info.name;
    const json& metrics = info.metrics;
    const json v = metrics.is_object() ? metrics.value("validation", json::object()) : json::object();
    if (!v.contains("criterion") || !v.contains("configurations")) {
        c.why = "trained without a validation split, so it cannot be recommended";
        return c;
    }
    const std::string adapted = v["criterion"].value("configuration", std::string());
    const json& configurations = v["configurations"];
    const json today = configurations.value("old->old", json::object());
    const json mine = configurations.value(adapted, json::object());
    // Where it is not above today and where intervals overlap: the same
    // words `xbt train` and `xbt adapters` use (validationHeadline).
    const AdapterValidationHeadline h = validationHeadline(info);
    for (const char* d : kDirections)
        for (const char* k : kKs)
            c.score += 100.0 * std::max(value(mine, d, k), 0.0);
    c.t2i = value(mine, "T2I", "R@1");
    c.i2t = value(mine, "I2T", "R@1");
    c.todayT2i = value(today, "T2I", "R@1");
    c.todayI2t = value(today, "I2T", "R@1");
    if (v.contains("negative_flips"))
        for (const char* d : kDirections)
            c.flips += 100.0 * std::max(value(v["negative_flips"], d, "R@1"), 0.0);
    c.staleTies = v.value("tie_rule", std::string()) != kTieRuleDescription;
    c.qualifies = h.notAbove.empty();
    c.why = c.qualifies ? (h.overlaps.empty() ? "" : "the validation intervals overlap today's at " + h.overlaps)
                        : "not above today's on validation at " + h.notAbove;
    return c;
}

}  // namespace

Recommendation recommendAdapter(const std::vector<AdapterInfo>& adapters)
{
    Recommendation r;
    if (adapters.empty())
        return r;
    r.decided = true;
    std::vector<Candidate> all;
    for (const AdapterInfo& a : adapters)
        if (std::optional<Candidate> c = candidateOf(a))
            all.push_back(*c);
    const Candidate* best = nullptr;
    for (const Candidate& c : all)
        if (c.qualifies && (!best || c.score > best->score))
            best = &c;
    if (best) {
        const double top = best->score;
        for (const Candidate& c : all)
            if (c.qualifies && top - c.score <= 1.0 && c.flips < best->flips)
                best = &c;
    }
    std::string others;
    for (const Candidate& c : all)
        if (&c != best && !c.why.empty() && !c.qualifies)
            others += std::string(others.empty() ? "" : "; ") + c.name + ": " + c.why;
    std::string stale;
    for (const Candidate& c : all)
        if (c.staleTies)
            stale += std::string(stale.empty() ? "" : ", ") + c.name;
    if (!stale.empty())
        stale = "; the validation figures of " + stale +
                " were ranked by an earlier build that compared tied scores exactly (image-to-text may be "
                "overstated): retrain to refresh them";
    if (!best) {
        r.reason = "keep today's system: no adapter is better than it in both directions on validation (" + others +
                   ")" + stale;
        return r;
    }
    r.adapter = best->name;
    r.reason = "deploy adapter '" + best->name + "': on its validation split it is above today's system at R@1, R@5 "
               "and R@10 in both directions (T2I R@1 " + percent(best->t2i) + " vs " + percent(best->todayT2i) +
               ", I2T R@1 " + percent(best->i2t) + " vs " + percent(best->todayI2t) + ")";
    if (!best->why.empty())
        r.reason += "; " + best->why;
    if (!others.empty())
        r.reason += "; not recommended: " + others;
    r.reason += stale;
    return r;
}

}  // namespace xbt

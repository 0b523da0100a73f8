#include "core/eval/UpgradeDecision.h"

#include <cstdio>

namespace xbt {

namespace {

std::string format(const char* f, double v)
{
    char b[48];
    std::snprintf(b, sizeof b, f, v);
    return b;
}

std::string percent(double fraction) { return format("%.1f", 100.0 * fraction); }

std::string duration(double seconds)
{
    if (seconds < 1)
        return format("%.0f ms", 1000 * seconds);
    if (seconds < 120)
        return format("%.1f s", seconds);
    if (seconds < 7200)
        return format("%.1f min", seconds / 60);
    return format("%.1f h", seconds / 3600);
}

std::string bytes(int64_t n)
{
    return n < 1024 ? std::to_string(n) + " B" : format("%.1f KiB", static_cast<double>(n) / 1024.0);
}

// The float32 vector size of the first space of this kind (0: unknown).
int64_t vectorBytes(const EvaluationOutcome& o, SpaceKind kind)
{
    for (size_t i = 0; i < o.spaces.size() && i < o.spaceDims.size(); ++i)
        if (o.spaces[i].kind == kind)
            return 4 * o.spaceDims[i];
    return 0;
}

std::string latency(const std::optional<QueryLatency>& l)
{
    return l && l->queries > 0 ? format("%.1f", l->p50Ms) + " / " + format("%.1f", l->p95Ms) : std::string("–");
}

}  // namespace

const std::vector<std::string>& upgradePathTextHeaders()
{
    static const std::vector<std::string> headers = {
        "flips T2I",      "flips I2T",      "images re-embedded once", "per query",
        "time once",      "time once, 10M", "time per query",          "text query p50 / p95 ms",
        "vectors per item"};
    return headers;
}

std::vector<std::string> upgradePathTextCells(const UpgradePathRow& r)
{
    return {r.flipsT2I, r.flipsI2T, r.imagesOnce, r.imagesPerQuery, r.timeOnce,
            r.time10M,  r.timePerQuery, r.queryLatency, r.storagePerItem};
}

std::vector<UpgradePathRow> upgradePathRows(const EvaluationOutcome& o)
{
    std::vector<UpgradePathRow> rows;
    if (!o.find(ConfigurationRole::Backfill) || (o.backfillCurve.empty() && !o.find(ConfigurationRole::Rerank)))
        return rows;
    const double rate = o.backfill.imagesPerSecond;
    const auto timeOf = [&](double images) { return rate > 0 ? duration(images / rate) : std::string("n/a"); };
    const auto flips = [](const std::optional<DirectionFlips>& f) { return f ? percent(f->at1) : std::string("–"); };
    const double images = static_cast<double>(o.images);
    const int64_t oldBytes = vectorBytes(o, SpaceKind::Old), newBytes = vectorBytes(o, SpaceKind::New);
    const bool sizes = oldBytes > 0 && newBytes > 0;
    const auto withNew = [&](const std::string& share) {
        return sizes ? bytes(oldBytes) + " + " + share + bytes(newBytes) : std::string("–");
    };
    for (const ConfigurationResult& c : o.configurations) {
        if (!c.comparable)
            continue;
        UpgradePathRow r;
        r.imagesOnce = r.imagesPerQuery = "0";
        r.timeOnce = r.time10M = r.timePerQuery = "–";
        r.storagePerItem = oldBytes > 0 ? bytes(oldBytes) : std::string("–");
        switch (c.role) {
        case ConfigurationRole::Today:
        case ConfigurationRole::Adapter:
        case ConfigurationRole::Compatible:  // the new model was retrained; nothing re-embedded
            break;
        case ConfigurationRole::Rerank:
            r.imagesOnce = "≤ " + std::to_string(c.imagesOnce) + " (kept for reuse)";
            r.imagesPerQuery = "≤ " + std::to_string(c.imagesPerQuery);
            r.timePerQuery = timeOf(static_cast<double>(c.imagesPerQuery));
            if (sizes && images > 0)
                r.storagePerItem = withNew("≤ " + format("%.0f", 100.0 * static_cast<double>(c.imagesOnce) / images) +
                                           "% of ");
            break;
        case ConfigurationRole::Backfill:
            r.imagesOnce = std::to_string(o.images) + " (all)";
            r.timeOnce = timeOf(images);
            r.time10M = timeOf(1e7);
            r.storagePerItem = newBytes > 0 ? bytes(newBytes) + " (after --drop-old)" : std::string("–");
            break;
        default:
            continue;  // raw, gallery transforms, compared models, the ceiling: not a path as such
        }
        r.path = "`" + c.name + "` (" + roleDescription(c) + ")";
        r.t2iR1 = c.textToImage.r1;
        r.i2tR1 = c.imageToText.r1;
        r.flipsT2I = flips(c.negativeFlips.textToImage);
        r.flipsI2T = flips(c.negativeFlips.imageToText);
        r.queryLatency = latency(c.textQueryLatency);
        rows.push_back(r);
    }
    // Partial backfills: the order and mixing chosen on validation; without
    // one, the default order (uncertainty), calibrated when it could be.
    const BackfillCurve& curve = o.backfillCurve;
    const std::string order = curve.chosenOrder.empty() ? "uncertainty" : curve.chosenOrder;
    const std::string mix =
        curve.chosenOrder.empty() ? (curve.calibration.empty() ? "raw" : "calibrated") : curve.chosenMix;
    const std::string why = curve.chosenOrder.empty() ? "default order" : "best on validation";
    for (const BackfillSeries& s : curve.series) {
        if (s.order != order || s.mix != mix)
            continue;
        for (const BackfillPoint& p : s.points) {
            if (p.fraction <= 0.0 || p.fraction >= 1.0)
                continue;
            UpgradePathRow r;
            r.path = "backfill " + format("%.0f", 100.0 * p.fraction) + "% (" + s.order + " order, " + s.mix +
                     ", " + why + "; adapter `" + curve.adapter + "` for the rest)";
            r.t2iR1 = p.textToImage.r1;
            r.i2tR1 = p.imageToText.r1;
            r.flipsT2I = r.flipsI2T = "–";
            r.imagesOnce = format("%.0f", p.fraction * images);
            r.imagesPerQuery = "0";
            r.timeOnce = timeOf(p.fraction * images);
            r.time10M = timeOf(p.fraction * 1e7);
            r.timePerQuery = "–";
            r.storagePerItem = withNew(format("%.0f", 100.0 * p.fraction) + "% of ");
            r.queryLatency = latency(curve.mixedTextQueryLatency);
            rows.push_back(r);
        }
    }
    return rows;
}

}  // namespace xbt

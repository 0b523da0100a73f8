#include "core/eval/EvaluationFiles.h"

#include "core/eval/EvaluationJson.h"
#include "core/eval/UpgradeDecision.h"
#include "core/util/FileUtil.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

namespace xbt {

namespace {

std::string pct(double v)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f", 100.0 * v);
    return buf;
}

std::string fixed(double v, const char* format = "%.2f")
{
    char buf[32];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

std::string withInterval(double v, const Interval& ci)
{
    if (ci.low == ci.high)
        return pct(v);
    return pct(v) + " (" + pct(ci.low) + "–" + pct(ci.high) + ")";
}

std::string gText(const std::optional<double>& g) { return g ? fixed(*g) : "n/a"; }

}  // namespace

std::string evaluationMarkdown(const EvaluationOutcome& o)
{
    std::ostringstream md;
    md << "Split: `" << o.splitFolder << "` (" << o.images << " images, " << o.captions
       << " captions). Recall in %, with " << static_cast<int>(o.options.bootstrap.confidence * 100)
       << "% bootstrap intervals (" << o.options.bootstrap.samples
       << " resamples); pessimistic tie rule.\n\n";
    for (size_t i = 0; i < o.spaces.size(); ++i) {
        const EmbeddingSpace& s = o.spaces[i];
        md << "- `" << s.name << "`: " << s.model << " (" << o.spaceDims[i] << " dims, fingerprint "
           << s.fingerprint.substr(0, 12) << ")\n";
    }
    md << "\n| configuration | T2I R@1 | T2I R@5 | T2I R@10 | I2T R@1 | I2T R@5 | I2T R@10 | RSUM |\n";
    md << "|---|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const ConfigurationResult& r : o.configurations) {
        md << "| `" << r.name << "`" << (r.role == ConfigurationRole::Raw && r.comparable ? " (raw, incompatible)" : "")
           << (r.role == ConfigurationRole::Compatible ? " (compatible model)" : "")
           << (r.role == ConfigurationRole::Ceiling ? " (diagnostic ceiling, not a method)" : "");
        if (!r.comparable) {
            md << " | not comparable | | | | | | |\n";
            continue;
        }
        const auto cells = [&](bool has, const RecallSummary& s) {
            if (!has)
                return std::string(" | – | – | –");
            return " | " + withInterval(s.r1, s.ci1) + " | " + withInterval(s.r5, s.ci5) + " | " +
                   withInterval(s.r10, s.ci10);
        };
        md << cells(r.hasTextToImage, r.textToImage) << cells(r.hasImageToText, r.imageToText) << " | "
           << fixed(r.rsum(), "%.1f") << " |\n";
    }
    for (const ConfigurationResult& r : o.configurations)
        if (!r.note.empty())
            md << "\n`" << r.name << "`: " << r.note << ".\n";
    if (!o.compatibility.empty()) {
        md << "\nCompatibility criterion (M(adapted) > M(old->old); \"within noise\" when the intervals overlap) and "
              "gain recovery G = (adapted - old->old) / (new->new - old->old):\n\n";
        const bool ceiling = o.find(ConfigurationRole::Ceiling) != nullptr;
        md << "| configuration | T2I R@1 | T2I R@5 | T2I R@10 | I2T R@1 | I2T R@5 | I2T R@10 | G T2I R@1 | G I2T R@1 |"
           << (ceiling ? " G_ceiling T2I R@1 | G_ceiling I2T R@1 |" : "") << "\n";
        md << "|---|---|---|---|---|---|---|---:|---:|" << (ceiling ? "---:|---:|" : "") << "\n";
        for (const CompatibilityEntry& e : o.compatibility) {
            const auto verdicts = [](const CompatibilityDirection& d) {
                if (!d.available)
                    return std::string(" | – | – | –");
                return std::string(" | ") + verdictName(d.r1) + " | " + verdictName(d.r5) + " | " + verdictName(d.r10);
            };
            md << "| `" << e.configuration << "`" << verdicts(e.textToImage) << verdicts(e.imageToText) << " | "
               << gText(e.textToImage.g1) << " | " << gText(e.imageToText.g1) << " |";
            if (ceiling)
                md << " " << gText(e.textToImage.gc1) << " | " << gText(e.imageToText.gc1) << " |";
            md << "\n";
        }
        if (ceiling)
            md << "\nG_ceiling = (adapted - old->old) / (ceiling - old->old): the share of what a query map could "
                  "take from this old gallery (the ceiling is fitted on the evaluated pairs themselves: a diagnostic).\n";
    }
    md << tieBoundMarkdown(o);
    md << negativeFlipsMarkdown(o);
    md << backfillCurveMarkdown(o);
    md << decisionTableMarkdown(o);
    md << compatibilityCostMarkdown(o);
    if (!o.matrix.rows.empty()) {
        md << "\nCompatibility matrix, R@1 % (T2I / I2T; rows: query space, columns: gallery space; n/c: not "
              "comparable):\n\n| query \\ gallery |";
        for (const std::string& c : o.matrix.columns)
            md << " `" << c << "` |";
        md << "\n|---|";
        for (size_t j = 0; j < o.matrix.columns.size(); ++j)
            md << "---:|";
        md << "\n";
        for (size_t i = 0; i < o.matrix.rows.size(); ++i) {
            md << "| `" << o.matrix.rows[i] << "` |";
            for (size_t j = 0; j < o.matrix.columns.size(); ++j) {
                const auto& a = o.matrix.textToImage[i][j];
                const auto& b = o.matrix.imageToText[i][j];
                md << " " << (a ? pct(*a) : "n/c") << " / " << (b ? pct(*b) : "n/c") << " |";
            }
            md << "\n";
        }
    }
    if (!o.categories.empty()) {
        md << "\nPer category (R@1, %; an image's category is its captions'):\n\n| category |";
        // Re-rankings are measured overall only.
        const auto shown = [](const ConfigurationResult& r) {
            return r.comparable && r.role != ConfigurationRole::Rerank;
        };
        for (const ConfigurationResult& r : o.configurations)
            if (shown(r))
                md << " `" << r.name << "` T2I | `" << r.name << "` I2T |";
        md << "\n|---|";
        for (const ConfigurationResult& r : o.configurations)
            if (shown(r))
                md << "---:|---:|";
        md << "\n";
        for (const std::string& c : o.categories) {
            md << "| " << c << " |";
            for (const ConfigurationResult& r : o.configurations) {
                if (!shown(r))
                    continue;
                const auto t = r.textToImageByCategory.find(c);
                const auto i = r.imageToTextByCategory.find(c);
                md << " " << (t != r.textToImageByCategory.end() ? pct(t->second.r1) : "–") << " | "
                   << (i != r.imageToTextByCategory.end() ? pct(i->second.r1) : "–") << " |";
            }
            md << "\n";
        }
    }
    if (o.backfill.imagesPerSecond > 0)
        md << "\nBackfill avoided: " << o.backfill.galleryImages << " images not re-embedded ("
           << fixed(o.backfill.seconds, "%.1f") << " s at the new model's measured " << fixed(o.backfill.imagesPerSecond, "%.1f")
           << " images/s; 10 million images would take " << fixed(1e7 / o.backfill.imagesPerSecond / 3600.0, "%.1f")
           << " h).\n";
    if (o.recommendation.decided)
        md << "\n**Recommendation** (decided on validation, never on this split): " << o.recommendation.reason << ".\n";
    return md.str();
}

std::string tieBoundMarkdown(const EvaluationOutcome& o)
{
    if (!o.tieBound)
        return {};
    const ConfigurationResult* today = o.find(ConfigurationRole::Today);
    const ConfigurationResult* backfill = o.find(ConfigurationRole::Backfill);
    // A direction's cap in words, with the most G at R@1 any query adapter
    // could reach when the cap is below a backfill's recall.
    const auto cap = [&](const TieBound& b, RetrievalDirection d) {
        std::string text = (d == RetrievalDirection::ImageToText ? "I2T" : "T2I") +
                           std::string(" R@1 against this gallery is at most ") + pct(b.maxRecallAt1()) + "%";
        if (today && backfill && b.maxRecallAt1() < backfill->summary(d).r1)
            if (const std::optional<double> g = gainRecovery(b.maxRecallAt1(), today->summary(d).r1,
                                                             backfill->summary(d).r1))
                text += " (G at R@1 at most " + fixed(*g) + ")";
        return text;
    };
    const GalleryTieBound& b = *o.tieBound;
    std::ostringstream md;
    md << "\nWhat the `" << b.gallery << "` gallery cannot tell apart (items whose stored embeddings are identical "
       << "to within 1e-5 score alike for every query, so no query, adapted or not, can rank one above the other): ";
    if (b.imageToText.capped > 0)
        md << b.imageToText.capped << " of " << b.imageToText.queries
           << " images have every caption identical to another image's caption: "
           << cap(b.imageToText, RetrievalDirection::ImageToText) << ". ";
    else
        md << "no image has all its captions identical to another image's (I2T not capped). ";
    if (b.textToImage.capped > 0)
        md << b.textToImage.capped << " of " << b.textToImage.queries
           << " captions' images have an identical twin image: " << cap(b.textToImage, RetrievalDirection::TextToImage)
           << ".\n";
    else
        md << "No two images are identical (T2I not capped).\n";
    return md.str();
}

std::string negativeFlipsMarkdown(const EvaluationOutcome& o)
{
    std::ostringstream md;
    for (const ConfigurationResult& r : o.configurations) {
        if (!r.comparable || r.role == ConfigurationRole::Today ||
            (!r.negativeFlips.textToImage && !r.negativeFlips.imageToText))
            continue;
        if (md.tellp() == 0)
            md << "\nNegative flips: queries today's system (old->old) answers right within K that the configuration "
                  "answers wrong, % of all queries (lower is better):\n\n"
               << "| configuration | T2I @1 | T2I @10 | I2T @1 | I2T @10 |\n|---|---:|---:|---:|---:|\n";
        const auto cells = [](const std::optional<DirectionFlips>& f) {
            return f ? " " + pct(f->at1) + " | " + pct(f->at10) + " |" : std::string(" – | – |");
        };
        md << "| `" << r.name << "` |" << cells(r.negativeFlips.textToImage) << cells(r.negativeFlips.imageToText)
           << "\n";
    }
    return md.str();
}

std::string backfillCurveMarkdown(const EvaluationOutcome& o)
{
    const BackfillCurve& c = o.backfillCurve;
    if (c.empty())
        return {};
    std::ostringstream md;
    md << "\nBackfill curve: R@1 % (T2I / I2T) with a fraction of the gallery's images re-embedded by the new model; "
          "backfilled items are scored in the new space, the rest through adapter `"
       << c.adapter << "`; raw: the two kinds of cosine compared as they are"
       << (c.calibration.empty() ? std::string()
                                 : "; calibrated: the new space's cosine mapped to scale * cosine + bias, the pair with the best mixed-search recall on `" +
                                       c.calibration + "` (validation)")
       << ":\n\n| order | mix |";
    for (const BackfillPoint& p : c.series.front().points)
        md << " " << fixed(100.0 * p.fraction, "%.0f") << "% |";
    md << "\n|---|---|";
    for (size_t i = 0; i < c.series.front().points.size(); ++i)
        md << "---:|";
    md << "\n";
    for (const BackfillSeries& s : c.series) {
        md << "| " << s.order << " | " << s.mix << " |";
        for (const BackfillPoint& p : s.points)
            md << " " << pct(p.textToImage.r1) << " / " << pct(p.imageToText.r1) << " |";
        md << "\n";
    }
    return md.str();
}

std::string decisionTableMarkdown(const EvaluationOutcome& o)
{
    const std::vector<UpgradePathRow> rows = upgradePathRows(o);
    if (rows.empty())
        return {};
    const double rate = o.backfill.imagesPerSecond;
    std::ostringstream md;
    md << "\nUpgrade paths (R@1 %, negative flips at R@1 %; re-embedding time at the new model's measured "
       << (rate > 0 ? fixed(rate, "%.1f") + " images/s" : std::string("rate (not measured)"))
       << "; \"10M\": the same share of a 10-million-image gallery; text query latency measured one query at a "
          "time on this machine, candidates re-embedded from their files):\n\n| path | T2I R@1 | I2T R@1 |";
    for (const std::string& h : upgradePathTextHeaders())
        md << " " << h << " |";
    md << "\n|---|---:|---:|";
    for (size_t i = 0; i < upgradePathTextHeaders().size(); ++i)
        md << "---:|";
    md << "\n";
    for (const UpgradePathRow& r : rows) {
        md << "| " << r.path << " | " << pct(r.t2iR1) << " | " << pct(r.i2tR1) << " |";
        for (const std::string& cell : upgradePathTextCells(r))
            md << " " << cell << " |";
        md << "\n";
    }
    return md.str();
}

std::string compatibilityCostMarkdown(const EvaluationOutcome& o)
{
    // The penalty BT^2 and OCA set out to remove: a compared model trained
    // compatible with the old one, on its own gallery, against the
    // independently trained new model on its own (new->new).
    const ConfigurationResult* reference = o.find(ConfigurationRole::Backfill);
    const EmbeddingSpace* newSpace = o.findSpace(SpaceKind::New);
    if (!reference || !newSpace || !newSpace->compatibleWith.empty())
        return {};
    std::ostringstream md;
    for (const ConfigurationResult& own : o.configurations) {
        if (own.role != ConfigurationRole::Compared || !own.comparable)
            continue;
        const auto space = std::find_if(o.spaces.begin(), o.spaces.end(),
                                        [&](const EmbeddingSpace& s) { return s.name == own.querySpace; });
        if (space == o.spaces.end() || space->compatibleWith.empty())
            continue;
        if (md.tellp() == 0)
            md << "\nCost of compatibility: each compatible model on its own gallery against `" << reference->name
               << "` (" << newSpace->model << ", trained without the old model), R@1 %:\n\n"
               << "| model | own T2I R@1 | " << reference->name << " T2I R@1 | penalty T2I | own I2T R@1 | "
               << reference->name << " I2T R@1 | penalty I2T |\n|---|---:|---:|---:|---:|---:|---:|\n";
        const auto cells = [&](bool has, double mine, bool refHas, double theirs) {
            if (!has || !refHas)
                return std::string(" – | – | – |");
            return " " + pct(mine) + " | " + pct(theirs) + " | " + fixed(100.0 * (mine - theirs), "%+.1f") + " |";
        };
        md << "| `" << space->name << "` |"
           << cells(own.hasTextToImage, own.textToImage.r1, reference->hasTextToImage, reference->textToImage.r1)
           << cells(own.hasImageToText, own.imageToText.r1, reference->hasImageToText, reference->imageToText.r1)
           << "\n";
    }
    return md.str();
}

std::string evaluationRecallCsv(const EvaluationOutcome& o)
{
    std::string csv = "configuration,direction,k,recall\n";
    for (const ConfigurationResult& r : o.configurations) {
        if (!r.comparable)
            continue;
        for (RetrievalDirection d : kRetrievalDirections) {
            const std::vector<double>& curve = r.recall.in(d).curve;
            for (size_t k = 0; k < curve.size(); ++k)
                csv += r.name + "," + directionKey(d) + "," + std::to_string(k + 1) + "," + fixed(curve[k], "%.6f") +
                       "\n";
        }
    }
    return csv;
}

std::vector<std::string> writeEvaluationData(const EvaluationOutcome& outcome, const std::string& outDir)
{
    namespace fs = std::filesystem;
    createDirectories(outDir);
    const std::vector<std::string> files = {(fs::path(outDir) / "results.json").string(),
                                            (fs::path(outDir) / "recall.csv").string(),
                                            (fs::path(outDir) / "results.md").string()};
    writeFileAtomic(files[0], evaluationToJson(outcome).dump(2) + "\n");
    writeFileAtomic(files[1], evaluationRecallCsv(outcome));
    writeFileAtomic(files[2], evaluationMarkdown(outcome));
    return files;
}

}  // namespace xbt

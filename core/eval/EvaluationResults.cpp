#include "core/eval/EvaluationResults.h"

#include "core/util/Error.h"

#include <cstdio>
#include <sstream>

namespace xbt {

using nlohmann::json;

const ConfigurationResult* EvaluationOutcome::find(ConfigurationRole role) const
{
    for (const ConfigurationResult& c : configurations)
        if (c.role == role && c.comparable)
            return &c;
    return nullptr;
}

namespace {

const EmbeddingSpace* spaceOf(const std::vector<EmbeddingSpace>& spaces, SpaceKind kind)
{
    for (const EmbeddingSpace& s : spaces)
        if (s.kind == kind)
            return &s;
    return nullptr;
}

CompatibilityDirection compareDirection(const RecallSummary& adapted, const RecallSummary& today,
                                        const RecallSummary& backfill)
{
    CompatibilityDirection d;
    d.available = true;
    d.r1 = compatibilityVerdict(adapted.r1, adapted.ci1, today.r1, today.ci1);
    d.r5 = compatibilityVerdict(adapted.r5, adapted.ci5, today.r5, today.ci5);
    d.r10 = compatibilityVerdict(adapted.r10, adapted.ci10, today.r10, today.ci10);
    d.g1 = gainRecovery(adapted.r1, today.r1, backfill.r1);
    d.g5 = gainRecovery(adapted.r5, today.r5, backfill.r5);
    d.g10 = gainRecovery(adapted.r10, today.r10, backfill.r10);
    return d;
}

void addCompatibility(EvaluationOutcome& out)
{
    const ConfigurationResult* today = out.find(ConfigurationRole::Today);
    const ConfigurationResult* backfill = out.find(ConfigurationRole::Backfill);
    if (!today || !backfill)
        return;
    for (const ConfigurationResult& c : out.configurations) {
        if (!c.comparable || (c.role != ConfigurationRole::Adapter && c.role != ConfigurationRole::GalleryTransform))
            continue;
        CompatibilityEntry e{c.adapter, c.name, {}, {}};
        if (c.hasTextToImage && today->hasTextToImage && backfill->hasTextToImage)
            e.textToImage = compareDirection(c.textToImage, today->textToImage, backfill->textToImage);
        if (c.hasImageToText && today->hasImageToText && backfill->hasImageToText)
            e.imageToText = compareDirection(c.imageToText, today->imageToText, backfill->imageToText);
        out.compatibility.push_back(e);
    }
}

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

json optionalJson(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json intervalJson(const Interval& i) { return json::array({i.low, i.high}); }

json summaryJson(const RecallSummary& s)
{
    return {{"queries", s.queries},
            {"R@1", s.r1},
            {"R@5", s.r5},
            {"R@10", s.r10},
            {"ci95", {{"R@1", intervalJson(s.ci1)}, {"R@5", intervalJson(s.ci5)}, {"R@10", intervalJson(s.ci10)}}},
            {"mean_rank", s.meanRank},
            {"median_rank", s.medianRank}};
}

json directionJson(const CompatibilityDirection& d)
{
    if (!d.available)
        return nullptr;
    return {{"criterion", {{"R@1", verdictName(d.r1)}, {"R@5", verdictName(d.r5)}, {"R@10", verdictName(d.r10)}}},
            {"gain_recovery", {{"R@1", optionalJson(d.g1)}, {"R@5", optionalJson(d.g5)}, {"R@10", optionalJson(d.g10)}}}};
}

json matrixJson(const std::vector<std::vector<std::optional<double>>>& cells)
{
    json rows = json::array();
    for (const auto& row : cells) {
        json r = json::array();
        for (const auto& v : row)
            r.push_back(optionalJson(v));
        rows.push_back(r);
    }
    return rows;
}

const char* kindName(SpaceKind k)
{
    switch (k) {
    case SpaceKind::Old: return "old";
    case SpaceKind::New: return "new";
    case SpaceKind::QueryAdapter: return "query-adapter";
    case SpaceKind::GalleryTransform: return "gallery-transform";
    }
    return "?";
}

std::string withInterval(double v, const Interval& ci)
{
    if (ci.low == ci.high)
        return pct(v);
    return pct(v) + " (" + pct(ci.low) + "–" + pct(ci.high) + ")";
}

std::string gText(const std::optional<double>& g) { return g ? fixed(*g) : "n/a"; }

}  // namespace

EvaluationOutcome evaluateSpaces(const std::vector<EmbeddingSpace>& spaces, const CaptionedSplit& split,
                                 const EvaluationOptions& options)
{
    const EmbeddingSpace* oldSpace = spaceOf(spaces, SpaceKind::Old);
    const EmbeddingSpace* newSpace = spaceOf(spaces, SpaceKind::New);
    if (!oldSpace || !newSpace)
        throw Error("an evaluation needs an old and a new embedding space");
    EvaluationOutcome out;
    out.splitFolder = split.root;
    out.images = static_cast<int64_t>(split.images.size());
    out.captions = static_cast<int64_t>(split.captions.size());
    if (split.hasCategories())
        out.categories = split.categories();
    out.options = options;
    const auto run = [&](const EmbeddingSpace& q, const EmbeddingSpace& g, ConfigurationRole role,
                         const std::string& adapter) {
        ConfigurationResult r = evaluateConfiguration(q, g, split, options.maxK, options.bootstrap);
        r.role = role;
        r.adapter = adapter;
        return r;
    };
    out.configurations.push_back(run(*oldSpace, *oldSpace, ConfigurationRole::Today, ""));
    out.configurations.push_back(run(*newSpace, *newSpace, ConfigurationRole::Backfill, ""));
    out.configurations.push_back(run(*newSpace, *oldSpace, ConfigurationRole::Raw, ""));
    for (const EmbeddingSpace& s : spaces) {
        if (s.kind == SpaceKind::QueryAdapter)
            out.configurations.push_back(run(s, *oldSpace, ConfigurationRole::Adapter, s.adapter));
        else if (s.kind == SpaceKind::GalleryTransform)
            out.configurations.push_back(run(*newSpace, s, ConfigurationRole::GalleryTransform, s.adapter));
    }
    addCompatibility(out);

    // The matrix: every query space against every gallery space. Cells that
    // are configurations above reuse their numbers.
    std::vector<const EmbeddingSpace*> rows, columns;
    for (const EmbeddingSpace& s : spaces) {
        if (s.kind != SpaceKind::GalleryTransform)
            rows.push_back(&s);
        if (s.kind != SpaceKind::QueryAdapter)
            columns.push_back(&s);
    }
    for (const EmbeddingSpace* r : rows)
        out.matrix.rows.push_back(r->name);
    for (const EmbeddingSpace* c : columns)
        out.matrix.columns.push_back(c->name);
    for (const EmbeddingSpace* r : rows) {
        std::vector<std::optional<double>> t2i, i2t;
        for (const EmbeddingSpace* c : columns) {
            const ConfigurationResult* known = nullptr;
            for (const ConfigurationResult& cr : out.configurations)
                if (cr.querySpace == r->name && cr.gallerySpace == c->name)
                    known = &cr;
            ConfigurationResult computed;
            if (!known && r->dims() == c->dims()) {
                computed = evaluateConfiguration(*r, *c, split, 1, {0, 0, 0.95});
                known = &computed;
            }
            const bool ok = known && known->comparable;
            t2i.push_back(ok && known->hasTextToImage ? std::optional<double>(known->textToImage.r1) : std::nullopt);
            i2t.push_back(ok && known->hasImageToText ? std::optional<double>(known->imageToText.r1) : std::nullopt);
        }
        out.matrix.textToImage.push_back(t2i);
        out.matrix.imageToText.push_back(i2t);
    }

    for (const EmbeddingSpace& s : spaces) {
        EmbeddingSpace description = s;
        description.images = {};
        description.texts = {};
        out.spaces.push_back(description);
        out.spaceDims.push_back(s.dims());
    }
    out.backfill.galleryImages = out.images;
    out.backfill.imagesPerSecond = newSpace->imagesPerSecond;
    if (newSpace->imagesPerSecond > 0)
        out.backfill.seconds = static_cast<double>(out.images) / newSpace->imagesPerSecond;
    return out;
}

json evaluationToJson(const EvaluationOutcome& o)
{
    json models = json::object();
    json adapters = json::array();
    json spaces = json::array();
    for (size_t i = 0; i < o.spaces.size(); ++i) {
        const EmbeddingSpace& s = o.spaces[i];
        json entry = {{"name", s.name}, {"kind", kindName(s.kind)}, {"model", s.model},
                      {"fingerprint", s.fingerprint}, {"dims", o.spaceDims[i]}};
        if (s.imagesPerSecond > 0)
            entry["images_per_second"] = s.imagesPerSecond;
        spaces.push_back(entry);
        if (s.kind == SpaceKind::Old || s.kind == SpaceKind::New)
            models[s.kind == SpaceKind::Old ? "old" : "new"] = entry;
        else
            adapters.push_back({{"name", s.adapter},
                                {"method", s.method},
                                {"kind", s.kind == SpaceKind::QueryAdapter ? "query" : "gallery"},
                                {"space", s.name}});
    }
    json configs = json::array();
    for (const ConfigurationResult& r : o.configurations) {
        json c = {{"name", r.name},
                  {"query", r.querySpace},
                  {"gallery", r.gallerySpace},
                  {"role", roleName(r.role)},
                  {"adapter", r.adapter.empty() ? json(nullptr) : json(r.adapter)},
                  {"comparable", r.comparable},
                  {"incompatible_comparison", r.incompatibleComparison},
                  {"note", r.note}};
        if (r.comparable) {
            c["text_to_image"] = nullptr;
            c["image_to_text"] = nullptr;
            if (r.hasTextToImage) {
                c["text_to_image"] = summaryJson(r.textToImage);
                c["text_to_image"]["curve"] = r.recall.textToImage.curve;
            }
            if (r.hasImageToText) {
                c["image_to_text"] = summaryJson(r.imageToText);
                c["image_to_text"]["curve"] = r.recall.imageToText.curve;
            }
            c["rsum"] = r.rsum();
            for (const auto& [cat, s] : r.textToImageByCategory)
                c["per_category"][cat]["text_to_image"] = summaryJson(s);
            for (const auto& [cat, s] : r.imageToTextByCategory)
                c["per_category"][cat]["image_to_text"] = summaryJson(s);
        }
        configs.push_back(c);
    }
    json compat = json::array();
    for (const CompatibilityEntry& e : o.compatibility)
        compat.push_back({{"adapter", e.adapter},
                          {"configuration", e.configuration},
                          {"text_to_image", directionJson(e.textToImage)},
                          {"image_to_text", directionJson(e.imageToText)}});
    json backfill = {{"gallery_images", o.backfill.galleryImages},
                     {"images_per_second", o.backfill.imagesPerSecond > 0 ? json(o.backfill.imagesPerSecond) : json(nullptr)},
                     {"seconds_avoided", o.backfill.imagesPerSecond > 0 ? json(o.backfill.seconds) : json(nullptr)}};
    if (o.backfill.imagesPerSecond > 0) {
        const double hours = 1e7 / o.backfill.imagesPerSecond / 3600.0;
        backfill["note"] = "re-embedding this split's " + std::to_string(o.backfill.galleryImages) +
                           " images with the new model on this machine; a 10-million-image gallery would take " +
                           fixed(hours, "%.1f") + " h at this rate";
    }
    return {{"command", o.command},
            {"date", o.date},
            {"split", {{"folder", o.splitFolder}, {"images", o.images}, {"captions", o.captions},
                       {"categories", o.categories}}},
            {"tie_rule", "pessimistic: an item ranks after every other item scoring greater than or equal to it"},
            {"max_k", o.options.maxK},
            {"bootstrap", {{"samples", o.options.bootstrap.samples}, {"seed", o.options.bootstrap.seed},
                           {"confidence", o.options.bootstrap.confidence}}},
            {"models", models},
            {"spaces", spaces},
            {"adapters", adapters},
            {"configurations", configs},
            {"compatibility", compat},
            {"matrix", {{"rows", o.matrix.rows}, {"columns", o.matrix.columns},
                        {"text_to_image", matrixJson(o.matrix.textToImage)},
                        {"image_to_text", matrixJson(o.matrix.imageToText)}}},
            {"backfill", backfill}};
}

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
        md << "| `" << r.name << "`" << (r.role == ConfigurationRole::Raw && r.comparable ? " (raw, incompatible)" : "");
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
        md << "| configuration | T2I R@1 | T2I R@5 | T2I R@10 | I2T R@1 | I2T R@5 | I2T R@10 | G T2I R@1 | G I2T R@1 |\n";
        md << "|---|---|---|---|---|---|---|---:|---:|\n";
        for (const CompatibilityEntry& e : o.compatibility) {
            const auto verdicts = [](const CompatibilityDirection& d) {
                if (!d.available)
                    return std::string(" | – | – | –");
                return std::string(" | ") + verdictName(d.r1) + " | " + verdictName(d.r5) + " | " + verdictName(d.r10);
            };
            md << "| `" << e.configuration << "`" << verdicts(e.textToImage) << verdicts(e.imageToText) << " | "
               << gText(e.textToImage.g1) << " | " << gText(e.imageToText.g1) << " |\n";
        }
    }
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
        for (const ConfigurationResult& r : o.configurations)
            if (r.comparable)
                md << " `" << r.name << "` T2I | `" << r.name << "` I2T |";
        md << "\n|---|";
        for (const ConfigurationResult& r : o.configurations)
            if (r.comparable)
                md << "---:|---:|";
        md << "\n";
        for (const std::string& c : o.categories) {
            md << "| " << c << " |";
            for (const ConfigurationResult& r : o.configurations) {
                if (!r.comparable)
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
    return md.str();
}

std::string evaluationRecallCsv(const EvaluationOutcome& o)
{
    std::string csv = "configuration,direction,k,recall\n";
    for (const ConfigurationResult& r : o.configurations) {
        if (!r.comparable)
            continue;
        const auto rows = [&](const char* direction, const std::vector<double>& curve) {
            for (size_t k = 0; k < curve.size(); ++k)
                csv += r.name + "," + direction + "," + std::to_string(k + 1) + "," + fixed(curve[k], "%.6f") + "\n";
        };
        rows("text_to_image", r.recall.textToImage.curve);
        rows("image_to_text", r.recall.imageToText.curve);
    }
    return csv;
}

}  // namespace xbt

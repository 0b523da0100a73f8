#include "core/eval/EvaluationJson.h"

#include "core/util/Error.h"
#include "core/util/JsonText.h"

#include <algorithm>

namespace xbt {

using nlohmann::json;

namespace {

const SpaceKind kSpaceKinds[] = {SpaceKind::Old,      SpaceKind::New,     SpaceKind::QueryAdapter,
                                 SpaceKind::GalleryTransform, SpaceKind::Compared, SpaceKind::Ceiling};
const ConfigurationRole kRoles[] = {ConfigurationRole::Today,   ConfigurationRole::Backfill,
                                    ConfigurationRole::Raw,     ConfigurationRole::Adapter,
                                    ConfigurationRole::GalleryTransform, ConfigurationRole::Compatible,
                                    ConfigurationRole::Compared, ConfigurationRole::Ceiling, ConfigurationRole::Rerank,
                                    ConfigurationRole::Other};
const CriterionVerdict kVerdicts[] = {CriterionVerdict::Pass, CriterionVerdict::Fail, CriterionVerdict::WithinNoise};

const char* kindName(SpaceKind k)
{
    switch (k) {
    case SpaceKind::Old: return "old";
    case SpaceKind::New: return "new";
    case SpaceKind::QueryAdapter: return "query-adapter";
    case SpaceKind::GalleryTransform: return "gallery-transform";
    case SpaceKind::Compared: return "compared";
    case SpaceKind::Ceiling: return "ceiling";
    }
    return "?";
}

// ---- writing ----

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
    json j = {{"criterion", {{"R@1", verdictName(d.r1)}, {"R@5", verdictName(d.r5)}, {"R@10", verdictName(d.r10)}}},
              {"gain_recovery", {{"R@1", optionalJson(d.g1)}, {"R@5", optionalJson(d.g5)}, {"R@10", optionalJson(d.g10)}}}};
    if (d.gc1 || d.gc5 || d.gc10)
        j["gain_recovery_ceiling"] = {{"R@1", optionalJson(d.gc1)}, {"R@5", optionalJson(d.gc5)}, {"R@10", optionalJson(d.gc10)}};
    return j;
}

json recallPointJson(const RecallSummary& s)
{
    return {{"R@1", s.r1}, {"R@5", s.r5}, {"R@10", s.r10},
            {"ci95", {{"R@1", intervalJson(s.ci1)}, {"R@5", intervalJson(s.ci5)}, {"R@10", intervalJson(s.ci10)}}}};
}

json latencyJson(const QueryLatency& l)
{
    return {{"queries", l.queries}, {"p50", l.p50Ms}, {"p95", l.p95Ms}};
}

json backfillCurveJson(const BackfillCurve& c)
{
    if (c.empty())
        return nullptr;
    json series = json::array();
    for (const BackfillSeries& s : c.series) {
        json points = json::array();
        for (const BackfillPoint& p : s.points)
            points.push_back({{"fraction", p.fraction},
                              {"text_to_image", recallPointJson(p.textToImage)},
                              {"image_to_text", recallPointJson(p.imageToText)}});
        series.push_back({{"order", s.order}, {"mix", s.mix}, {"points", points}});
    }
    json out = {{"adapter", c.adapter}, {"calibration_fitted_on", c.calibration}, {"series", series}};
    if (!c.chosenOrder.empty())
        out["chosen_on_validation"] = {{"order", c.chosenOrder}, {"mix", c.chosenMix}};
    if (c.mixedTextQueryLatency)
        out["mixed_text_query_latency_ms"] = latencyJson(*c.mixedTextQueryLatency);
    return out;
}

json flipsJson(const NegativeFlips& f)
{
    json j = json::object();
    for (RetrievalDirection d : kRetrievalDirections)
        if (const std::optional<DirectionFlips>& x = f.in(d))
            j[directionKey(d)] = {{"R@1", x->at1}, {"R@10", x->at10}, {"flipped_at_1", x->flippedAt1}};
    return j;
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

// ---- reading ----

// One JSON object and its path in results.json, so that a bad field is
// reported as e.g. "configurations[3].text_to_image.R@1".
class Fields {
public:
    Fields(const json& object, std::string path, const std::string& where)
        : object_(object), path_(std::move(path)), where_(where)
    {
    }

    std::string pathOf(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

    // nullptr when the key is missing or null.
    const json* find(const std::string& key) const
    {
        if (!object_.is_object())
            return nullptr;
        const auto it = object_.find(key);
        return it == object_.end() || it->is_null() ? nullptr : &*it;
    }

    std::optional<Fields> object(const std::string& key) const
    {
        const json* v = find(key);
        if (!v)
            return std::nullopt;
        if (!v->is_object())
            fail(key, "an object");
        return Fields(*v, pathOf(key), where_);
    }

    std::optional<double> number(const std::string& key) const
    {
        const json* v = find(key);
        if (!v)
            return std::nullopt;
        if (!v->is_number())
            fail(key, "a number");
        return v->get<double>();
    }

    std::optional<int64_t> integer(const std::string& key) const
    {
        const json* v = find(key);
        if (!v)
            return std::nullopt;
        if (!v->is_number())
            fail(key, "a number");
        return v->is_number_integer() ? v->get<int64_t>() : static_cast<int64_t>(v->get<double>());
    }

    std::string text(const std::string& key) const
    {
        const json* v = find(key);
        if (!v)
            return {};
        if (!v->is_string())
            fail(key, "a string");
        return v->get<std::string>();
    }

    bool flag(const std::string& key, bool fallback) const
    {
        const json* v = find(key);
        if (!v)
            return fallback;
        if (!v->is_boolean())
            fail(key, "true or false");
        return v->get<bool>();
    }

    // The elements of an array (empty when missing), each with its path.
    std::vector<Fields> array(const std::string& key) const
    {
        std::vector<Fields> out;
        const json* v = find(key);
        if (!v)
            return out;
        if (!v->is_array())
            fail(key, "an array");
        for (size_t i = 0; i < v->size(); ++i)
            out.emplace_back((*v)[i], pathOf(key) + "[" + std::to_string(i) + "]", where_);
        return out;
    }

    std::vector<std::string> strings(const std::string& key) const
    {
        std::vector<std::string> out;
        for (const Fields& e : array(key)) {
            if (!e.value().is_string())
                fail(key, "an array of strings");
            out.push_back(e.value().get<std::string>());
        }
        return out;
    }

    const json& value() const { return object_; }

    [[noreturn]] void fail(const std::string& key, const std::string& expected) const
    {
        throw Error(where_ + ": " + pathOf(key) + " should be " + expected +
                    " (re-run xbt eval to write a current results.json)");
    }

private:
    const json& object_;
    std::string path_;
    const std::string& where_;
};

// The name of one value of an enum, as results.json spells it, to the value.
template <typename Enum, size_t N, typename Name>
Enum enumFromName(const Fields& f, const std::string& key, const std::string& name, const Enum (&values)[N],
                  Name nameOf)
{
    std::string names;
    for (Enum v : values) {
        if (name == nameOf(v))
            return v;
        names += (names.empty() ? "" : ", ") + std::string(nameOf(v));
    }
    f.fail(key, "one of " + names);
}

// One direction's summary and curve; false when the direction is missing.
bool readDirection(const Fields& parent, RetrievalDirection d, RecallSummary& summary, std::vector<double>* curve)
{
    const std::optional<Fields> f = parent.object(directionKey(d));
    if (!f)
        return false;
    summary.queries = f->integer("queries").value_or(0);
    const std::optional<Fields> ci = f->object("ci95");
    const struct {
        const char* key;
        double RecallSummary::*recall;
        Interval RecallSummary::*interval;
    } reported[] = {{"R@1", &RecallSummary::r1, &RecallSummary::ci1},
                    {"R@5", &RecallSummary::r5, &RecallSummary::ci5},
                    {"R@10", &RecallSummary::r10, &RecallSummary::ci10}};
    for (const auto& k : reported) {
        const std::optional<double> v = f->number(k.key);
        if (!v)
            f->fail(k.key, std::string("a number (recall at K=") + (k.key + 2) + ")");
        summary.*k.recall = *v;
        summary.*k.interval = {*v, *v};
        const json* interval = ci ? ci->find(k.key) : nullptr;
        if (!interval)
            continue;
        if (!interval->is_array() || interval->size() != 2 || !(*interval)[0].is_number() ||
            !(*interval)[1].is_number())
            ci->fail(k.key, "[low, high]");
        summary.*k.interval = {(*interval)[0].get<double>(), (*interval)[1].get<double>()};
    }
    summary.meanRank = f->number("mean_rank").value_or(0.0);
    summary.medianRank = f->number("median_rank").value_or(0.0);
    if (curve)
        for (const Fields& v : f->array("curve")) {
            if (!v.value().is_number())
                f->fail("curve", "an array of numbers");
            curve->push_back(v.value().get<double>());
        }
    return true;
}

// Older results.json files have no role: infer it from the spaces involved.
ConfigurationRole inferredRole(const ConfigurationResult& c)
{
    if (!c.adapter.empty())
        return c.querySpace == "new" ? ConfigurationRole::GalleryTransform : ConfigurationRole::Adapter;
    if (c.querySpace == "old" && c.gallerySpace == "old")
        return ConfigurationRole::Today;
    if (c.querySpace == "new" && c.gallerySpace == "new")
        return ConfigurationRole::Backfill;
    return ConfigurationRole::Raw;
}

QueryLatency readLatency(const Fields& f)
{
    QueryLatency l;
    l.queries = static_cast<int>(f.integer("queries").value_or(0));
    l.p50Ms = f.number("p50").value_or(0.0);
    l.p95Ms = f.number("p95").value_or(0.0);
    return l;
}

ConfigurationResult configurationFrom(const Fields& f)
{
    ConfigurationResult c;
    c.name = f.text("name");
    if (c.name.empty())
        f.fail("name", "the configuration's name, e.g. \"old->old\"");
    c.querySpace = f.text("query");
    c.gallerySpace = f.text("gallery");
    c.adapter = f.text("adapter");
    const std::string role = f.text("role");
    c.role = role.empty() ? inferredRole(c) : enumFromName(f, "role", role, kRoles, roleName);
    c.comparable = f.flag("comparable", true);
    c.incompatibleComparison = f.flag("incompatible_comparison", false);
    c.note = f.text("note");
    c.hasTextToImage = readDirection(f, RetrievalDirection::TextToImage, c.textToImage, &c.recall.textToImage.curve);
    c.hasImageToText = readDirection(f, RetrievalDirection::ImageToText, c.imageToText, &c.recall.imageToText.curve);
    if (c.comparable && !c.hasTextToImage && !c.hasImageToText)
        f.fail("text_to_image", "present for a comparable configuration");
    if (const std::optional<Fields> rerank = f.object("rerank")) {
        c.rerankK = static_cast<int>(rerank->integer("k").value_or(0));
        c.imagesPerQuery = rerank->integer("images_per_query").value_or(0);
        c.imagesOnce = rerank->integer("images_once").value_or(0);
    }
    if (const std::optional<Fields> latency = f.object("text_query_latency_ms"))
        c.textQueryLatency = readLatency(*latency);
    if (const std::optional<Fields> flips = f.object("negative_flips"))
        for (RetrievalDirection d : kRetrievalDirections)
            if (const std::optional<Fields> x = flips->object(directionKey(d)))
                (d == RetrievalDirection::TextToImage ? c.negativeFlips.textToImage : c.negativeFlips.imageToText) =
                    DirectionFlips{x->number("R@1").value_or(0.0), x->number("R@10").value_or(0.0),
                                   x->strings("flipped_at_1")};
    if (const std::optional<Fields> categories = f.object("per_category"))
        for (const auto& item : categories->value().items()) {
            const std::optional<Fields> category = categories->object(item.key());
            if (!category)
                continue;
            RecallSummary s;
            if (readDirection(*category, RetrievalDirection::TextToImage, s, nullptr))
                c.textToImageByCategory[item.key()] = s;
            if (readDirection(*category, RetrievalDirection::ImageToText, s, nullptr))
                c.imageToTextByCategory[item.key()] = s;
        }
    return c;
}

CompatibilityDirection compatibilityDirectionFrom(const Fields& f)
{
    CompatibilityDirection d;
    d.available = true;
    const std::optional<Fields> criterion = f.object("criterion");
    if (!criterion)
        f.fail("criterion", "the verdicts at R@1, R@5 and R@10");
    const std::optional<Fields> gain = f.object("gain_recovery");
    const struct {
        const char* key;
        CriterionVerdict CompatibilityDirection::*verdict;
        std::optional<double> CompatibilityDirection::*gain;
    } reported[] = {{"R@1", &CompatibilityDirection::r1, &CompatibilityDirection::g1},
                    {"R@5", &CompatibilityDirection::r5, &CompatibilityDirection::g5},
                    {"R@10", &CompatibilityDirection::r10, &CompatibilityDirection::g10}};
    const std::optional<Fields> ceiling = f.object("gain_recovery_ceiling");
    for (const auto& k : reported) {
        d.*k.verdict = enumFromName(*criterion, k.key, criterion->text(k.key), kVerdicts, verdictName);
        if (gain)
            d.*k.gain = gain->number(k.key);
    }
    if (ceiling) {
        d.gc1 = ceiling->number("R@1");
        d.gc5 = ceiling->number("R@5");
        d.gc10 = ceiling->number("R@10");
    }
    return d;
}

CompatibilityEntry compatibilityFrom(const Fields& f)
{
    CompatibilityEntry e;
    e.adapter = f.text("adapter");
    e.configuration = f.text("configuration");
    if (const std::optional<Fields> d = f.object(directionKey(RetrievalDirection::TextToImage)))
        e.textToImage = compatibilityDirectionFrom(*d);
    if (const std::optional<Fields> d = f.object(directionKey(RetrievalDirection::ImageToText)))
        e.imageToText = compatibilityDirectionFrom(*d);
    return e;
}

std::vector<std::vector<std::optional<double>>> matrixCells(const Fields& f, RetrievalDirection d, size_t rows,
                                                            size_t columns)
{
    const std::string key = directionKey(d);
    std::vector<std::vector<std::optional<double>>> cells(rows, std::vector<std::optional<double>>(columns));
    const std::vector<Fields> rowValues = f.array(key);
    if (rowValues.empty())
        return cells;
    if (rowValues.size() != rows)
        f.fail(key, std::to_string(rows) + " rows, one per entry of matrix.rows");
    for (size_t r = 0; r < rows; ++r) {
        const json& row = rowValues[r].value();
        if (!row.is_array() || row.size() != columns)
            f.fail(key, "rows of " + std::to_string(columns) + " values, one per entry of matrix.columns");
        for (size_t c = 0; c < columns; ++c) {
            if (row[c].is_number())
                cells[r][c] = row[c].get<double>();
            else if (!row[c].is_null())
                f.fail(key, "R@1 fractions or null");
        }
    }
    return cells;
}

// A results.json without "matrix" (older xbt eval): one row per query space,
// one column per gallery space, in the order the configurations come.
CompatibilityMatrix matrixFromConfigurations(const std::vector<ConfigurationResult>& configurations)
{
    CompatibilityMatrix m;
    auto indexOf = [](std::vector<std::string>& names, const std::string& name) {
        auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end())
            it = names.insert(names.end(), name);
        return static_cast<size_t>(it - names.begin());
    };
    for (const ConfigurationResult& c : configurations)
        if (!c.querySpace.empty() && !c.gallerySpace.empty()) {
            indexOf(m.rows, c.querySpace);
            indexOf(m.columns, c.gallerySpace);
        }
    m.textToImage.assign(m.rows.size(), std::vector<std::optional<double>>(m.columns.size()));
    m.imageToText = m.textToImage;
    for (const ConfigurationResult& c : configurations) {
        if (c.querySpace.empty() || c.gallerySpace.empty() || !c.comparable)
            continue;
        const size_t row = indexOf(m.rows, c.querySpace);
        const size_t column = indexOf(m.columns, c.gallerySpace);
        if (c.hasTextToImage)
            m.textToImage[row][column] = c.textToImage.r1;
        if (c.hasImageToText)
            m.imageToText[row][column] = c.imageToText.r1;
    }
    return m;
}

// The spaces: "spaces" since xbt eval measured adapters; older files name
// only the two models, under "models".
void readSpaces(const Fields& root, EvaluationOutcome& o)
{
    const auto add = [&](const Fields& f, SpaceKind kind, const std::string& name) {
        EmbeddingSpace s;
        s.kind = kind;
        s.name = name;
        s.model = f.text("model");
        s.fingerprint = f.text("fingerprint");
        s.imagesPerSecond = f.number("images_per_second").value_or(0.0);
        s.compatibleWith = f.text("compatible_with");
        s.comparableDims = f.integer("comparable_dims").value_or(0);
        o.spaces.push_back(s);
        o.spaceDims.push_back(f.integer("dims").value_or(0));
    };
    const std::vector<Fields> spaces = root.array("spaces");
    for (const Fields& f : spaces)
        add(f, enumFromName(f, "kind", f.text("kind"), kSpaceKinds, kindName), f.text("name"));
    if (spaces.empty())
        if (const std::optional<Fields> models = root.object("models"))
            for (SpaceKind kind : {SpaceKind::Old, SpaceKind::New})
                if (const std::optional<Fields> m = models->object(kindName(kind)))
                    add(*m, kind, kindName(kind));
    // Each adapter describes its space: the one it names, else (files that
    // name none) the next space of its kind not yet described, else a new one.
    for (const Fields& f : root.array("adapters")) {
        const std::string kindText = f.text("kind");
        if (!kindText.empty() && kindText != "query" && kindText != "gallery")
            f.fail("kind", "\"query\" or \"gallery\"");
        const SpaceKind kind = kindText == "gallery" ? SpaceKind::GalleryTransform : SpaceKind::QueryAdapter;
        const std::string space = f.text("space");
        auto it = std::find_if(o.spaces.begin(), o.spaces.end(), [&](const EmbeddingSpace& s) {
            return !space.empty() && s.name == space;
        });
        if (it == o.spaces.end())
            it = std::find_if(o.spaces.begin(), o.spaces.end(),
                              [&](const EmbeddingSpace& s) { return s.kind == kind && s.adapter.empty(); });
        if (it == o.spaces.end()) {
            EmbeddingSpace s;
            s.kind = kind;
            s.name = space;
            o.spaces.push_back(s);
            o.spaceDims.push_back(0);
            it = o.spaces.end() - 1;
        }
        it->adapter = f.text("name");
        it->method = f.text("method");
    }
}

}  // namespace

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
        if (!s.compatibleWith.empty()) {
            entry["compatible_with"] = s.compatibleWith;
            entry["comparable_dims"] = s.comparableDims;
        }
        spaces.push_back(entry);
        if (s.kind == SpaceKind::Old || s.kind == SpaceKind::New)
            models[s.kind == SpaceKind::Old ? "old" : "new"] = entry;
        else if (s.kind != SpaceKind::Compared && s.kind != SpaceKind::Ceiling)
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
            for (RetrievalDirection d : kRetrievalDirections) {
                json& direction = c[directionKey(d)] = nullptr;
                if (!r.has(d))
                    continue;
                direction = summaryJson(r.summary(d));
                direction["curve"] = r.recall.in(d).curve;
            }
            c["rsum"] = r.rsum();
            if (r.role == ConfigurationRole::Rerank)
                c["rerank"] = {{"k", r.rerankK}, {"images_per_query", r.imagesPerQuery}, {"images_once", r.imagesOnce}};
            if (r.textQueryLatency)
                c["text_query_latency_ms"] = latencyJson(*r.textQueryLatency);
            const json flips = flipsJson(r.negativeFlips);
            if (!flips.empty())
                c["negative_flips"] = flips;
            for (RetrievalDirection d : kRetrievalDirections)
                for (const auto& [cat, s] : r.byCategory(d))
                    c["per_category"][cat][directionKey(d)] = summaryJson(s);
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
    if (!o.backfill.note.empty())
        backfill["note"] = o.backfill.note;
    json out = {{"command", o.command},
                {"date", o.date},
                {"split", {{"folder", o.splitFolder}, {"images", o.images}, {"captions", o.captions},
                           {"categories", o.categories}}},
                {"tie_rule", o.tieRule},
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
                {"backfill", backfill},
                {"backfill_curve", backfillCurveJson(o.backfillCurve)},
                {"recommendation", o.recommendation.decided
                                       ? json{{"adapter", o.recommendation.adapter.empty() ? json(nullptr)
                                                                                           : json(o.recommendation.adapter)},
                                              {"reason", o.recommendation.reason}}
                                       : json(nullptr)}};
    if (o.tieBound) {
        const auto bound = [](const TieBound& b) {
            return json{{"queries", b.queries}, {"capped", b.capped}, {"max_R@1", b.maxRecallAt1()}};
        };
        out["gallery_tie_bound"] = {{"gallery", o.tieBound->gallery},
                                    {"text_to_image", bound(o.tieBound->textToImage)},
                                    {"image_to_text", bound(o.tieBound->imageToText)}};
    }
    return out;
}

EvaluationOutcome evaluationFromJson(const json& results, const std::string& where)
{
    if (!results.is_object())
        throw Error(where + ": expected a JSON object as written by xbt eval");
    const Fields root(results, "", where);
    EvaluationOutcome o;
    o.command = root.text("command");
    o.date = root.text("date");
    if (const std::optional<Fields> split = root.object("split")) {
        o.splitFolder = split->text("folder");
        o.images = split->integer("images").value_or(0);
        o.captions = split->integer("captions").value_or(0);
        o.categories = split->strings("categories");
    }
    o.tieRule = root.text("tie_rule");
    o.options.maxK = static_cast<int>(root.integer("max_k").value_or(o.options.maxK));
    // No "bootstrap": an evaluation from before the intervals.
    o.options.bootstrap.samples = 0;
    if (const std::optional<Fields> bootstrap = root.object("bootstrap")) {
        o.options.bootstrap.samples = static_cast<int>(bootstrap->integer("samples").value_or(0));
        o.options.bootstrap.seed = static_cast<uint64_t>(bootstrap->integer("seed").value_or(0));
        o.options.bootstrap.confidence = bootstrap->number("confidence").value_or(o.options.bootstrap.confidence);
    }
    readSpaces(root, o);
    for (const Fields& c : root.array("configurations"))
        o.configurations.push_back(configurationFrom(c));
    if (o.configurations.empty())
        throw Error(where + " has no configurations: it is not an xbt eval result, or the evaluation did not "
                            "finish (re-run xbt eval)");
    for (const Fields& c : root.array("compatibility"))
        o.compatibility.push_back(compatibilityFrom(c));
    if (const std::optional<Fields> matrix = root.object("matrix")) {
        o.matrix.rows = matrix->strings("rows");
        o.matrix.columns = matrix->strings("columns");
        o.matrix.textToImage = matrixCells(*matrix, RetrievalDirection::TextToImage, o.matrix.rows.size(),
                                           o.matrix.columns.size());
        o.matrix.imageToText = matrixCells(*matrix, RetrievalDirection::ImageToText, o.matrix.rows.size(),
                                           o.matrix.columns.size());
    } else {
        o.matrix = matrixFromConfigurations(o.configurations);
    }
    if (const std::optional<Fields> backfill = root.object("backfill")) {
        o.backfill.galleryImages = backfill->integer("gallery_images").value_or(0);
        o.backfill.imagesPerSecond = backfill->number("images_per_second").value_or(0.0);
        o.backfill.seconds = backfill->number("seconds_avoided").value_or(0.0);
        o.backfill.note = backfill->text("note");
    }
    if (const std::optional<Fields> curve = root.object("backfill_curve")) {
        o.backfillCurve.adapter = curve->text("adapter");
        o.backfillCurve.calibration = curve->text("calibration_fitted_on");
        if (const std::optional<Fields> latency = curve->object("mixed_text_query_latency_ms"))
            o.backfillCurve.mixedTextQueryLatency = readLatency(*latency);
        if (const std::optional<Fields> chosen = curve->object("chosen_on_validation")) {
            o.backfillCurve.chosenOrder = chosen->text("order");
            o.backfillCurve.chosenMix = chosen->text("mix");
        }
        for (const Fields& sf : curve->array("series")) {
            BackfillSeries series;
            series.order = sf.text("order");
            series.mix = sf.text("mix");
            for (const Fields& pf : sf.array("points")) {
                BackfillPoint p;
                p.fraction = pf.number("fraction").value_or(0.0);
                readDirection(pf, RetrievalDirection::TextToImage, p.textToImage, nullptr);
                readDirection(pf, RetrievalDirection::ImageToText, p.imageToText, nullptr);
                series.points.push_back(p);
            }
            o.backfillCurve.series.push_back(std::move(series));
        }
    }
    if (const std::optional<Fields> ties = root.object("gallery_tie_bound")) {
        const auto bound = [&](const char* key) {
            TieBound b;
            if (const std::optional<Fields> d = ties->object(key)) {
                b.queries = d->integer("queries").value_or(0);
                b.capped = d->integer("capped").value_or(0);
            }
            return b;
        };
        o.tieBound = GalleryTieBound{ties->text("gallery"), bound("text_to_image"), bound("image_to_text")};
    }
    if (const std::optional<Fields> recommendation = root.object("recommendation")) {
        o.recommendation.decided = true;
        o.recommendation.adapter = recommendation->text("adapter");
        o.recommendation.reason = recommendation->text("reason");
    }
    return o;
}

EvaluationOutcome readEvaluationFile(const std::string& path) { return evaluationFromJson(readJsonFile(path), path); }

}  // namespace xbt

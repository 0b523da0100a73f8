#include "ui/charts/ReportData.h"

#include "core/util/Error.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace xbt::charts {

namespace {

using nlohmann::json;

// One JSON object and its path in results.json, so that a bad field is
// reported as e.g. "configurations[3].text_to_image.R@1".
class Fields {
public:
    Fields(const json& object, std::string path) : object_(object), path_(std::move(path)) {}

    const std::string& path() const { return path_; }
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
        return Fields(*v, pathOf(key));
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

    std::optional<long long> integer(const std::string& key) const
    {
        const std::optional<double> v = number(key);
        return v ? std::optional<long long>(static_cast<long long>(*v)) : std::nullopt;
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

    // The elements of an array (empty when missing).
    std::vector<const json*> array(const std::string& key) const
    {
        std::vector<const json*> out;
        const json* v = find(key);
        if (!v)
            return out;
        if (!v->is_array())
            fail(key, "an array");
        for (const json& e : *v)
            out.push_back(&e);
        return out;
    }

    [[noreturn]] void fail(const std::string& key, const std::string& expected) const
    {
        throw Error("results.json: " + pathOf(key) + " should be " + expected +
                    " (re-run xbt eval to write a current results.json)");
    }

private:
    const json& object_;
    std::string path_;
};

std::string indexed(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

std::vector<std::string> stringList(const Fields& f, const std::string& key)
{
    std::vector<std::string> out;
    for (const json* e : f.array(key)) {
        if (!e->is_string())
            f.fail(key, "an array of strings");
        out.push_back(e->get<std::string>());
    }
    return out;
}

std::optional<Interval> interval(const Fields& f, const std::string& key)
{
    const json* v = f.find(key);
    if (!v)
        return std::nullopt;
    if (!v->is_array() || v->size() != 2 || !(*v)[0].is_number() || !(*v)[1].is_number())
        f.fail(key, "[low, high]");
    return Interval{(*v)[0].get<double>(), (*v)[1].get<double>()};
}

std::optional<DirectionRecall> directionRecall(const Fields& parent, Direction d)
{
    const std::optional<Fields> f = parent.object(directionKey(d));
    if (!f)
        return std::nullopt;
    DirectionRecall r;
    r.queries = f->integer("queries").value_or(0);
    const std::optional<Fields> ci = f->object("ci95");
    for (size_t i = 0; i < kReportedK.size(); ++i) {
        const std::string key = "R@" + std::to_string(kReportedK[i]);
        const std::optional<double> v = f->number(key);
        if (!v)
            f->fail(key, "a number (recall at K=" + std::to_string(kReportedK[i]) + ")");
        r.recall[i] = *v;
        if (ci)
            r.ci[i] = interval(*ci, key);
    }
    r.meanRank = f->number("mean_rank");
    r.medianRank = f->number("median_rank");
    for (const json* v : f->array("curve")) {
        if (!v->is_number())
            f->fail("curve", "an array of numbers");
        r.curve.push_back(v->get<double>());
    }
    return r;
}

// Older results.json files have no role: infer it from the spaces involved.
std::string inferredRole(const Configuration& c)
{
    if (!c.adapter.empty())
        return c.query == "new" ? "gallery-transform" : "adapter";
    if (c.query == "old" && c.gallery == "old")
        return "today";
    if (c.query == "new" && c.gallery == "new")
        return "backfill";
    return "raw";
}

Configuration configuration(const Fields& f)
{
    Configuration c;
    c.name = f.text("name");
    if (c.name.empty())
        f.fail("name", "the configuration's name, e.g. \"old->old\"");
    c.query = f.text("query");
    c.gallery = f.text("gallery");
    c.adapter = f.text("adapter");
    c.role = f.text("role");
    if (c.role.empty())
        c.role = inferredRole(c);
    c.comparable = f.flag("comparable", true);
    c.incompatibleComparison = f.flag("incompatible_comparison", false);
    c.note = f.text("note");
    for (Direction d : {Direction::TextToImage, Direction::ImageToText})
        c.recall.in(d) = directionRecall(f, d);
    if (c.comparable && !c.recall.textToImage && !c.recall.imageToText)
        f.fail("text_to_image", "present for a comparable configuration");
    c.rsum = f.number("rsum");
    if (const std::optional<Fields> categories = f.object("per_category")) {
        for (const auto& [name, value] : f.find("per_category")->items()) {
            const std::optional<Fields> cat = categories->object(name);
            if (!cat)
                continue;
            for (Direction d : {Direction::TextToImage, Direction::ImageToText})
                c.perCategory[name].in(d) = directionRecall(*cat, d);
        }
    }
    return c;
}

CompatibilityResult compatibility(const Fields& f)
{
    CompatibilityResult r;
    r.adapter = f.text("adapter");
    r.configuration = f.text("configuration");
    for (Direction d : {Direction::TextToImage, Direction::ImageToText}) {
        const std::optional<Fields> dir = f.object(directionKey(d));
        if (!dir)
            continue;
        CompatibilityVerdict v;
        const std::optional<Fields> criterion = dir->object("criterion");
        const std::optional<Fields> gain = dir->object("gain_recovery");
        for (size_t i = 0; i < kReportedK.size(); ++i) {
            const std::string key = "R@" + std::to_string(kReportedK[i]);
            if (criterion)
                v.criterion[i] = criterion->text(key);
            if (gain)
                v.gainRecovery[i] = gain->number(key);
        }
        r.verdict.in(d) = v;
    }
    return r;
}

std::vector<std::vector<std::optional<double>>> matrixCells(const Fields& f, Direction d, size_t rows, size_t columns)
{
    const std::string key = directionKey(d);
    std::vector<std::vector<std::optional<double>>> cells(rows, std::vector<std::optional<double>>(columns));
    const std::vector<const json*> rowValues = f.array(key);
    if (rowValues.empty())
        return cells;
    if (rowValues.size() != rows)
        f.fail(key, std::to_string(rows) + " rows, one per entry of matrix.rows");
    for (size_t r = 0; r < rows; ++r) {
        const json& row = *rowValues[r];
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
RecallMatrix matrixFromConfigurations(const std::vector<Configuration>& configurations)
{
    RecallMatrix m;
    auto indexOf = [](std::vector<std::string>& names, const std::string& name) {
        auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end())
            it = names.insert(names.end(), name);
        return static_cast<size_t>(it - names.begin());
    };
    for (const Configuration& c : configurations)
        if (!c.query.empty() && !c.gallery.empty()) {
            indexOf(m.rows, c.query);
            indexOf(m.columns, c.gallery);
        }
    for (Direction d : {Direction::TextToImage, Direction::ImageToText}) {
        auto& cells = m.r1.in(d);
        cells.assign(m.rows.size(), std::vector<std::optional<double>>(m.columns.size()));
        for (const Configuration& c : configurations)
            if (!c.query.empty() && !c.gallery.empty() && c.comparable && c.recall.in(d))
                cells[indexOf(m.rows, c.query)][indexOf(m.columns, c.gallery)] = c.recall.in(d)->recall[0];
    }
    return m;
}

}  // namespace

const char* directionKey(Direction d) { return d == Direction::TextToImage ? "text_to_image" : "image_to_text"; }

Direction directionFromKey(const std::string& key)
{
    if (key == "text_to_image")
        return Direction::TextToImage;
    if (key == "image_to_text")
        return Direction::ImageToText;
    throw Error("unknown direction '" + key + "': use text_to_image or image_to_text");
}

const Configuration* EvaluationResults::comparableWithRole(const std::string& role) const
{
    for (const Configuration& c : configurations)
        if (c.role == role && c.comparable)
            return &c;
    return nullptr;
}

const Configuration* EvaluationResults::findConfiguration(const std::string& name) const
{
    for (const Configuration& c : configurations)
        if (c.name == name)
            return &c;
    return nullptr;
}

const ModelDescription* EvaluationResults::findModel(const std::string& role) const
{
    for (const ModelDescription& m : models)
        if (m.role == role)
            return &m;
    return nullptr;
}

EvaluationResults parseEvaluationResults(const nlohmann::json& results)
{
    if (!results.is_object())
        throw Error("results.json: expected a JSON object as written by xbt eval");
    const Fields root(results, "");
    EvaluationResults r;
    r.command = root.text("command");
    r.date = root.text("date");
    if (const std::optional<Fields> split = root.object("split")) {
        r.splitFolder = split->text("folder");
        r.splitImages = split->integer("images");
        r.splitCaptions = split->integer("captions");
        r.categories = stringList(*split, "categories");
    }
    r.tieRule = root.text("tie_rule");
    if (const std::optional<Fields> bootstrap = root.object("bootstrap")) {
        r.bootstrapSamples = bootstrap->integer("samples");
        r.bootstrapConfidence = bootstrap->number("confidence");
    }
    if (const std::optional<Fields> models = root.object("models")) {
        for (const char* role : {"old", "new"})
            if (const std::optional<Fields> m = models->object(role))
                r.models.push_back({role, m->text("model"), m->text("fingerprint"), m->integer("dims"),
                                    m->number("images_per_second")});
    }
    const std::vector<const json*> adapters = root.array("adapters");
    for (size_t i = 0; i < adapters.size(); ++i) {
        const Fields a(*adapters[i], indexed("adapters", i));
        r.adapters.push_back({a.text("name"), a.text("method"), a.text("kind")});
    }
    const std::vector<const json*> configurations = root.array("configurations");
    if (configurations.empty())
        throw Error("results.json has no configurations: it is not an xbt eval result, or the evaluation did not "
                    "finish (re-run xbt eval)");
    for (size_t i = 0; i < configurations.size(); ++i)
        r.configurations.push_back(configuration(Fields(*configurations[i], indexed("configurations", i))));
    const std::vector<const json*> compat = root.array("compatibility");
    for (size_t i = 0; i < compat.size(); ++i)
        r.compatibility.push_back(compatibility(Fields(*compat[i], indexed("compatibility", i))));
    if (const std::optional<Fields> matrix = root.object("matrix")) {
        r.matrix.rows = stringList(*matrix, "rows");
        r.matrix.columns = stringList(*matrix, "columns");
        for (Direction d : {Direction::TextToImage, Direction::ImageToText})
            r.matrix.r1.in(d) = matrixCells(*matrix, d, r.matrix.rows.size(), r.matrix.columns.size());
    } else {
        r.matrix = matrixFromConfigurations(r.configurations);
    }
    if (const std::optional<Fields> backfill = root.object("backfill"))
        r.backfill = BackfillCost{backfill->integer("gallery_images"), backfill->number("images_per_second"),
                                  backfill->number("seconds_avoided"), backfill->text("note")};
    return r;
}

std::string roleDescription(const Configuration& c)
{
    if (c.role == "today")
        return "today's system";
    if (c.role == "backfill")
        return "full backfill";
    if (c.role == "raw")
        return "new model, no adapter";
    if (c.role == "adapter")
        return "adapter '" + c.adapter + "'";
    if (c.role == "gallery-transform")
        return "gallery transform '" + c.adapter + "'";
    return c.role;
}

}  // namespace xbt::charts

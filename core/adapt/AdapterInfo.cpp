#include "core/adapt/AdapterInfo.h"

#include "core/util/Error.h"

namespace xbt {

using nlohmann::json;

const char* adapterKindName(AdapterKind kind) { return kind == AdapterKind::Gallery ? "gallery" : "query"; }

namespace {

json modelRefJson(const ModelRef& m)
{
    json j = {{"name", m.name}, {"fingerprint", m.fingerprint}, {"dims", m.dims}};
    if (!m.spec.empty())
        j["spec"] = m.spec;
    return j;
}

// Reads fields of one JSON object; every error names the file and the
// field's full path ("old_model.fingerprint"), and says what was expected.
class FieldReader {
public:
    FieldReader(const json& object, std::string source, std::string prefix)
        : object_(object), source_(std::move(source)), prefix_(std::move(prefix))
    {
        if (!object_.is_object())
            fail(prefix_.empty() ? std::string("the file") : prefix_.substr(0, prefix_.size() - 1),
                 "must be a JSON object");
    }

    std::string text(const std::string& key, bool required = true) const
    {
        const json* v = find(key, required);
        if (!v)
            return {};
        if (!v->is_string())
            fail(prefix_ + key, "must be a string");
        return v->get<std::string>();
    }

    int64_t integer(const std::string& key, bool required = true) const
    {
        const json* v = find(key, required);
        if (!v)
            return 0;
        if (!v->is_number_integer())
            fail(prefix_ + key, "must be an integer");
        return v->get<int64_t>();
    }

    uint64_t unsignedInteger(const std::string& key) const
    {
        const json* v = find(key, false);
        if (!v)
            return 0;
        if (!v->is_number_integer())
            fail(prefix_ + key, "must be an integer");
        if (!v->is_number_unsigned())
            fail(prefix_ + key, "must not be negative");
        return v->get<uint64_t>();
    }

    double number(const std::string& key) const
    {
        const json* v = find(key, false);
        if (!v)
            return 0.0;
        if (!v->is_number())
            fail(prefix_ + key, "must be a number");
        return v->get<double>();
    }

    json object(const std::string& key) const
    {
        const json* v = find(key, false);
        if (!v)
            return json::object();
        if (!v->is_object())
            fail(prefix_ + key, "must be a JSON object");
        return *v;
    }

    FieldReader child(const std::string& key) const
    {
        const json* v = find(key, true);
        return FieldReader(*v, source_, prefix_ + key + ".");
    }

    [[noreturn]] void fail(const std::string& field, const std::string& what) const
    {
        throw Error(source_ + ": field '" + field + "' " + what +
                    "; the adapter file is damaged or was not written by xbt: train or export the adapter again");
    }

private:
    const json* find(const std::string& key, bool required) const
    {
        const auto it = object_.find(key);
        if (it == object_.end() || it->is_null()) {
            if (required)
                fail(prefix_ + key, "is missing");
            return nullptr;
        }
        return &*it;
    }

    const json& object_;
    std::string source_;
    std::string prefix_;
};

ModelRef readModelRef(const FieldReader& r)
{
    ModelRef m;
    m.name = r.text("name");
    m.fingerprint = r.text("fingerprint");
    m.dims = static_cast<int>(r.integer("dims"));
    if (m.dims <= 0)
        r.fail("dims", "must be positive");
    m.spec = r.text("spec", false);
    return m;
}

}  // namespace

json AdapterInfo::toJson() const
{
    return {{"schema_version", kSchemaVersion},
            {"name", name},
            {"method", method},
            {"kind", adapterKindName(kind)},
            {"old_model", modelRefJson(oldModel)},
            {"new_model", modelRefJson(newModel)},
            {"image_tower_adaptation", imageTowerAdaptation},
            {"image_map_share", imageMapShare},
            {"interpolation", interpolation.toJson()},
            {"config", config},
            {"data", data},
            {"metrics", metrics},
            {"seed", seed},
            {"training_seconds", trainingSeconds},
            {"device", device},
            {"created", created}};
}

AdapterInfo AdapterInfo::fromJson(const json& j, const std::string& source)
{
    const FieldReader r(j, source, "");
    const int64_t version = r.integer("schema_version");
    if (version != kSchemaVersion)
        throw Error(source + ": adapter schema_version " + std::to_string(version) + " is not the " +
                    std::to_string(kSchemaVersion) + " this xbt reads; use the xbt that wrote it, or train the adapter "
                    "again");
    AdapterInfo info;
    info.name = r.text("name");
    info.method = r.text("method");
    const std::string kind = r.text("kind");
    if (kind == "query")
        info.kind = AdapterKind::Query;
    else if (kind == "gallery")
        info.kind = AdapterKind::Gallery;
    else
        r.fail("kind", "is '" + kind + "'; expected 'query' or 'gallery'");
    info.oldModel = readModelRef(r.child("old_model"));
    info.newModel = readModelRef(r.child("new_model"));
    info.imageTowerAdaptation = r.text("image_tower_adaptation", false);
    if (!info.imageTowerAdaptation.empty() && info.imageTowerAdaptation != "lora" &&
        info.imageTowerAdaptation != "feature-adapter" && info.imageTowerAdaptation != "image-map")
        r.fail("image_tower_adaptation", "is '" + info.imageTowerAdaptation +
                                             "'; expected \"\", \"lora\", \"feature-adapter\" or \"image-map\"");
    if (j.contains("image_map_share") && !j["image_map_share"].is_null()) {
        info.imageMapShare = r.number("image_map_share");
        if (!(info.imageMapShare > 0.0 && info.imageMapShare <= 1.0))
            r.fail("image_map_share", "is " + json(info.imageMapShare).dump() + "; expected a share in (0, 1]");
    }
    if (j.contains("interpolation") && !j["interpolation"].is_null())
        info.interpolation = QueryInterpolation::fromJson(j["interpolation"], source);
    info.config = r.object("config");
    info.data = r.object("data");
    info.metrics = r.object("metrics");
    info.seed = r.unsignedInteger("seed");
    info.trainingSeconds = r.number("training_seconds");
    info.device = r.text("device", false);
    info.created = r.text("created", false);
    return info;
}

AdapterValidationHeadline validationHeadline(const AdapterInfo& info)
{
    AdapterValidationHeadline h;
    const nlohmann::json& m = info.metrics;
    if (!m.is_object() || !m.contains("validation") || !m["validation"].is_object())
        return h;
    const nlohmann::json& v = m["validation"];
    if (!v.contains("criterion") || !v.contains("configurations"))
        return h;
    const nlohmann::json& criterion = v["criterion"];
    h.configuration = criterion.value("configuration", std::string());
    h.criterionMet = criterion.value("met", false);
    const nlohmann::json& config = v["configurations"].value(h.configuration, nlohmann::json::object());
    const auto r1 = [&](const char* direction) {
        return config.contains(direction) ? config[direction].value("R@1", 0.0) : 0.0;
    };
    h.t2iR1 = r1("T2I");
    h.i2tR1 = r1("I2T");
    const nlohmann::json today = v["configurations"].value("old->old", nlohmann::json::object());
    const auto append = [](std::string& list, const std::string& item) { list += (list.empty() ? "" : ", ") + item; };
    for (const char* direction : {"T2I", "I2T"})
        for (const char* k : {"R@1", "R@5", "R@10"}) {
            const std::string where = std::string(direction) + " " + k;
            if (criterion.contains("verdicts") && criterion["verdicts"].contains(direction) &&
                criterion["verdicts"][direction].contains(k)) {
                const std::string verdict = criterion["verdicts"][direction][k].get<std::string>();
                append(h.verdicts, where + " " + verdict);
                if (verdict == "within noise")
                    append(h.overlaps, where);
            }
            if (config.contains(direction) && today.contains(direction) &&
                !(config[direction].value(k, 0.0) > today[direction].value(k, 0.0)))
                append(h.notAbove, where);
        }
    h.available = true;
    return h;
}

std::string criterionSentence(const AdapterValidationHeadline& h)
{
    if (!h.available)
        return "no validation split: not judged";
    std::string s = h.criterionMet ? "compatibility criterion met: above today's at R@1, R@5 and R@10 in both directions"
                                   : "compatibility criterion not met" +
                                         (h.notAbove.empty() ? std::string() : ": not above today's at " + h.notAbove);
    if (!h.overlaps.empty())
        s += " (the 95% intervals overlap today's at " + h.overlaps + ")";
    return s;
}

}  // namespace xbt

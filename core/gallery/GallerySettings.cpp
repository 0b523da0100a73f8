#include "core/gallery/GallerySettings.h"

#include "core/embed/SideInformation.h"

#include "core/util/JsonText.h"
#include "core/util/Error.h"

#include <nlohmann/json.hpp>

namespace xbt {

using nlohmann::json;

std::string toJsonText(const GallerySettings& s)
{
    json j = {{"root", s.root},
                    {"model", {{"name", s.modelName},
                               {"spec", s.modelSpec},
                               {"fingerprint", s.modelFingerprint},
                               {"preprocessing", s.preprocessing},
                               {"embedding_dim", s.embeddingDim}}},
                    {"precision", precisionName(s.precision)},
                    {"index", {{"type", indexTypeName(s.indexType)}, {"nlist", s.nlist}, {"nprobe", s.nprobe}}},
                    {"scan", {{"excludes", s.excludes}}}};
    if (s.sideInformation)
        j["side_information"] = SideInformationSpec::toJson();
    // Paths may hold bytes that are not UTF-8: keep them rather than throw.
    return j.dump(2, ' ', false, json::error_handler_t::replace);
}

GallerySettings gallerySettingsFromJson(const std::string& text, const std::string& where)
{
    GallerySettings s;
    try {
        const json j = parseJson(text, where);
        s.root = j.at("root").get<std::string>();
        const json& m = j.at("model");
        s.modelName = m.at("name").get<std::string>();
        s.modelSpec = m.at("spec").get<std::string>();
        s.modelFingerprint = m.at("fingerprint").get<std::string>();
        s.preprocessing = m.at("preprocessing").get<std::string>();
        s.embeddingDim = m.at("embedding_dim").get<int>();
        s.precision = parsePrecision(j.at("precision").get<std::string>());
        const json& index = j.at("index");
        s.indexType = parseIndexType(index.at("type").get<std::string>());
        s.nlist = index.at("nlist").get<int>();
        s.nprobe = index.at("nprobe").get<int>();
        s.excludes = j.at("scan").at("excludes").get<std::vector<std::string>>();
        s.sideInformation = SideInformationSpec::recorded(j.value("side_information", json()), where);
    } catch (const json::exception& e) {
        throw Error(where + ": gallery settings are damaged (" + std::string(e.what()) +
                    "); delete the gallery and index the folder again");
    }
    return s;
}

const char* precisionName(VectorPrecision p) { return p == VectorPrecision::Float16 ? "float16" : "float32"; }
const char* indexTypeName(IndexType t) { return t == IndexType::Ivf ? "ivf" : "flat"; }

VectorPrecision parsePrecision(const std::string& text)
{
    if (text == "float32")
        return VectorPrecision::Float32;
    if (text == "float16")
        return VectorPrecision::Float16;
    throw Error("precision '" + text + "' is not known: use float32 or float16");
}

IndexType parseIndexType(const std::string& text)
{
    if (text == "flat")
        return IndexType::Flat;
    if (text == "ivf")
        return IndexType::Ivf;
    throw Error("index type '" + text + "' is not known: use flat or ivf");
}


}  // namespace xbt

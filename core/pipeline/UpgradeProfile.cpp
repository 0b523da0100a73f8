#include "core/pipeline/UpgradeProfile.h"

#include "core/util/JsonText.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace xbt {

namespace fs = std::filesystem;

namespace {

const char* kFile = "upgrade.json";

std::string underWorkspace(const std::string& workspaceDir, const std::string& path)
{
    if (path.empty() || fs::path(path).is_absolute())
        return path;
    return (fs::path(workspaceDir) / path).string();
}

}  // namespace

std::string UpgradeProfile::evalSplitPath(const std::string& workspaceDir) const
{
    return underWorkspace(workspaceDir, evalSplit);
}

std::string UpgradeProfile::demoQueriesPath(const std::string& workspaceDir) const
{
    return underWorkspace(workspaceDir, demoQueries);
}

bool hasUpgradeProfile(const std::string& workspaceDir) { return fs::exists(fs::path(workspaceDir) / kFile); }

UpgradeProfile loadUpgradeProfile(const std::string& workspaceDir)
{
    const std::string file = (fs::path(workspaceDir) / kFile).string();
    UpgradeProfile p;
    if (!fs::exists(file))
        return p;
    const nlohmann::json j = readJsonFile(file);
    if (!j.is_object())
        throw Error(file + ": expected a JSON object");
    const auto read = [&](const char* key, std::string& into) {
        if (!j.contains(key) || j[key].is_null())
            return;
        if (!j[key].is_string())
            throw Error(file + ": field '" + key + "' must be a string");
        into = j[key].get<std::string>();
    };
    read("old_model", p.oldModel);
    read("new_model", p.newModel);
    read("old_gallery", p.oldGallery);
    read("new_gallery", p.newGallery);
    read("eval_split", p.evalSplit);
    read("demo_queries", p.demoQueries);
    read("default_adapter", p.defaultAdapter);
    if (p.oldModel.empty() || p.newModel.empty())
        throw Error(file + ": 'old_model' and 'new_model' are required");
    return p;
}

void saveUpgradeProfile(const std::string& workspaceDir, const UpgradeProfile& p)
{
    const nlohmann::json j = {{"old_model", p.oldModel},       {"new_model", p.newModel},
                              {"old_gallery", p.oldGallery},   {"new_gallery", p.newGallery},
                              {"eval_split", p.evalSplit},     {"demo_queries", p.demoQueries},
                              {"default_adapter", p.defaultAdapter}};
    writeFileAtomic((fs::path(workspaceDir) / kFile).string(), j.dump(2) + "\n");
}

}  // namespace xbt

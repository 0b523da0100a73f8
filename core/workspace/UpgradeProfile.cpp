#include "core/workspace/UpgradeProfile.h"

#include "core/workspace/WorkspaceLayout.h"

#include "core/util/JsonText.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <nlohmann/json.hpp>


namespace xbt {

std::string UpgradeProfile::evalSplitPath(const std::string& workspaceDir) const
{
    return WorkspaceLayout(workspaceDir).resolve(evalSplit);
}

std::string UpgradeProfile::demoQueriesPath(const std::string& workspaceDir) const
{
    return WorkspaceLayout(workspaceDir).resolve(demoQueries);
}

bool hasUpgradeProfile(const std::string& workspaceDir)
{
    return fileExists(WorkspaceLayout(workspaceDir).upgradeProfileFile());
}

UpgradeProfile loadUpgradeProfile(const std::string& workspaceDir)
{
    const std::string file = WorkspaceLayout(workspaceDir).upgradeProfileFile();
    UpgradeProfile p;
    if (!fileExists(file))
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
    writeFileAtomic(WorkspaceLayout(workspaceDir).upgradeProfileFile(), j.dump(2) + "\n");
}

}  // namespace xbt

#include "core/workspace/DemoQueryList.h"

#include "core/workspace/UpgradeProfile.h"
#include "core/workspace/WorkspaceLayout.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <filesystem>

namespace xbt {

namespace fs = std::filesystem;

namespace {

std::string trimmed(const std::string& s)
{
    const char* space = " \t\r\f\v";
    const size_t first = s.find_first_not_of(space);
    if (first == std::string::npos)
        return {};
    return s.substr(first, s.find_last_not_of(space) - first + 1);
}

}  // namespace

std::vector<std::string> parseDemoQueries(const std::string& text)
{
    std::vector<std::string> queries;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        const std::string line = trimmed(text.substr(start, end - start));
        if (!line.empty() && line[0] != '#')
            queries.push_back(line);
        start = end + 1;
    }
    return queries;
}

std::string demoQueriesFile(const std::string& workspaceDir, const UpgradeProfile& profile)
{
    if (!profile.demoQueries.empty())
        return profile.demoQueriesPath(workspaceDir);
    return WorkspaceLayout(workspaceDir).defaultDemoQueriesFile();
}

std::string readDemoQueriesText(const std::string& path)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        return {};
    return readFileBytes(path);
}

void saveDemoQueries(const std::string& workspaceDir, const std::string& text)
{
    UpgradeProfile profile = loadUpgradeProfile(workspaceDir);
    const bool hasProfile = !profile.oldModel.empty();
    const WorkspaceLayout layout(workspaceDir);
    const std::string path = demoQueriesFile(workspaceDir, profile);
    if (!layout.contains(path))
        throw Error("could not save the demo queries: upgrade.json's demo_queries (" + path +
                    ") lies outside the workspace, and the workbench writes only inside it; point it at a file in " +
                    layout.dir());
    std::string content = text;
    if (!content.empty() && content.back() != '\n')
        content += '\n';
    try {
        writeFileAtomic(path, content);
    } catch (const Error& e) {
        throw Error(std::string("could not save the demo queries: ") + e.what());
    }
    // Without upgrade.json there is nothing to point at the list (and
    // writing one would invent models); the default name is found anyway.
    if (hasProfile && profile.demoQueries.empty()) {
        profile.demoQueries = layout.relative(layout.defaultDemoQueriesFile());
        saveUpgradeProfile(workspaceDir, profile);
    }
}

}  // namespace xbt

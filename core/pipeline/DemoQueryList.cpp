#include "core/pipeline/DemoQueryList.h"

#include "core/pipeline/UpgradeProfile.h"
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
    return (fs::path(workspaceDir) / kDefaultDemoQueriesFile).string();
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
    const std::string path = demoQueriesFile(workspaceDir, profile);
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
        profile.demoQueries = kDefaultDemoQueriesFile;
        saveUpgradeProfile(workspaceDir, profile);
    }
}

}  // namespace xbt

#include "core/workspace/WorkspaceLayout.h"

#include <filesystem>

namespace xbt {

namespace fs = std::filesystem;

const char* const WorkspaceLayout::kOwnFolders[] = {"galleries", "adapters",         "cache",   "cache/thumbnails",
                                                    "cache/embeddings", "results", "locks"};
const size_t WorkspaceLayout::kOwnFolderCount = sizeof(kOwnFolders) / sizeof(kOwnFolders[0]);

namespace {

std::string join(const std::string& dir, const std::string& sub) { return (fs::path(dir) / sub).string(); }

}  // namespace

WorkspaceLayout::WorkspaceLayout(const std::string& dir)
{
    std::error_code ec;
    dir_ = fs::absolute(dir, ec).lexically_normal().string();
    if (dir_.size() > 1 && dir_.back() == '/')
        dir_.pop_back();
}

std::string WorkspaceLayout::manifestFile() const { return join(dir_, "workspace.json"); }
std::string WorkspaceLayout::upgradeProfileFile() const { return join(dir_, "upgrade.json"); }
std::string WorkspaceLayout::defaultDemoQueriesFile() const { return join(dir_, "demo-queries.txt"); }
std::string WorkspaceLayout::locksDir() const { return join(dir_, "locks"); }
std::string WorkspaceLayout::lockFile(const std::string& kind, const std::string& name) const
{
    return join(locksDir(), kind + "-" + name + ".lock");
}

std::string WorkspaceLayout::galleriesDir() const { return join(dir_, "galleries"); }
std::string WorkspaceLayout::galleryDir(const std::string& name) const { return join(galleriesDir(), name); }
std::string WorkspaceLayout::adaptersDir() const { return join(dir_, "adapters"); }
std::string WorkspaceLayout::adapterDir(const std::string& name) const { return join(adaptersDir(), name); }
std::string WorkspaceLayout::adapterCheckpointDir(const std::string& name) const
{
    return join(adaptersDir(), ".training/" + name);
}
std::string WorkspaceLayout::adapterIncomingDir(const std::string& name) const
{
    return join(adaptersDir(), ".incoming/" + name);
}

std::string WorkspaceLayout::thumbnailDir() const { return join(dir_, "cache/thumbnails"); }
std::string WorkspaceLayout::galleryThumbnailDir(const std::string& gallery) const
{
    return join(thumbnailDir(), gallery);
}
std::string WorkspaceLayout::embeddingCacheDir() const { return join(dir_, "cache/embeddings"); }
std::string WorkspaceLayout::mixingCacheDir() const { return join(dir_, "cache/mixing"); }
std::string WorkspaceLayout::queryCacheDir() const { return join(dir_, "cache/queries"); }

std::string WorkspaceLayout::resultsDir() const { return join(dir_, "results"); }
std::string WorkspaceLayout::workbenchResultsDir() const { return join(resultsDir(), "workbench"); }
std::string WorkspaceLayout::demoResultsDir() const { return join(resultsDir(), "demo"); }

std::string WorkspaceLayout::dataDir() const { return join(dir_, "data"); }
std::string WorkspaceLayout::dataSplitDir(const std::string& split) const { return join(dataDir(), split); }
std::string WorkspaceLayout::sampleCorpusFile() const { return join(dataSplitDir("corpus"), "corpus.txt"); }
std::string WorkspaceLayout::sampleBuildDir() const { return join(dir_, ".sample-build"); }

std::string WorkspaceLayout::resolve(const std::string& path) const
{
    if (path.empty() || fs::path(path).is_absolute())
        return path;
    return (fs::path(dir_) / path).lexically_normal().string();
}

bool WorkspaceLayout::contains(const std::string& path) const
{
    const fs::path relative = fs::path(resolve(path)).lexically_normal().lexically_relative(dir_);
    const std::string r = relative.generic_string();
    return !r.empty() && r != ".." && r.rfind("../", 0) != 0 && !relative.is_absolute();
}

std::string WorkspaceLayout::relative(const std::string& path) const
{
    if (!contains(path))
        return path;
    return fs::path(resolve(path)).lexically_normal().lexically_relative(dir_).generic_string();
}

}  // namespace xbt

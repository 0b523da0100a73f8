#include "core/util/InstallPaths.h"

#include "core/util/Error.h"

#include <cstdlib>
#include <filesystem>

namespace xbt {

namespace fs = std::filesystem;

std::string executablePath()
{
    std::error_code ec;
    const fs::path p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : p.string();
}

namespace {

// True when the executable lies inside the build tree it was compiled in
// (build/app/xbt, build/tests/...). The source path baked into the binary
// only means something there: a packaged or installed copy must find its
// samples under its own prefix, or fail, not silently use a checkout.
[[maybe_unused]] bool runningFromBuildTree(const std::string& exe, const std::string& buildTree)
{
    if (exe.empty() || buildTree.empty())
        return false;
    std::error_code ec;
    const fs::path tree = fs::weakly_canonical(buildTree, ec);  // exe is canonical (/proc/self/exe)
    if (ec)
        return false;
    const fs::path rel = fs::path(exe).lexically_relative(tree);
    return !rel.empty() && *rel.begin() != "..";
}

}  // namespace

std::vector<std::string> samplesDirectoryCandidates()
{
    std::vector<std::string> out;
    if (const char* env = std::getenv("XBT_SAMPLES_DIR"); env && *env)
        out.emplace_back(env);
    const std::string exe = executablePath();
    if (!exe.empty())
        out.push_back((fs::path(exe).parent_path().parent_path() / "share" / "xbt-workbench" / "samples").string());
#if defined(XBT_SOURCE_SAMPLES_DIR) && defined(XBT_BUILD_TREE_DIR)
    if (runningFromBuildTree(exe, XBT_BUILD_TREE_DIR))
        out.emplace_back(XBT_SOURCE_SAMPLES_DIR);
#endif
    return out;
}

std::string samplesDirectory()
{
    const std::vector<std::string> candidates = samplesDirectoryCandidates();
    std::error_code ec;
    for (const std::string& c : candidates)
        if (fs::is_directory(c, ec))
            return c;
    std::string msg = "cannot find the bundled samples folder; looked in:";
    for (const std::string& c : candidates)
        msg += "\n  " + c;
    throw Error(msg + "\nset XBT_SAMPLES_DIR to the folder holding sample-old/ and sample-new/");
}

}  // namespace xbt

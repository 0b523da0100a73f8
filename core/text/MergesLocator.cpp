#include "core/text/MergesLocator.h"

#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <glob.h>

#include <cstdlib>

namespace xbt {

namespace {

const char* const kMergesName = "bpe_simple_vocab_16e6.txt";

std::string environment(const char* name)
{
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

// Folders matching a shell pattern, sorted; the pattern itself when nothing
// matches, so that messages still show where the search went.
std::vector<std::string> expandPattern(const std::string& pattern)
{
    glob_t matches{};
    std::vector<std::string> folders;
    if (glob(pattern.c_str(), GLOB_ONLYDIR, nullptr, &matches) == 0)
        folders.assign(matches.gl_pathv, matches.gl_pathv + matches.gl_pathc);
    globfree(&matches);
    if (folders.empty())
        folders.push_back(pattern);
    return folders;
}

// Where pip, Debian, virtualenv, conda and pyenv put site packages; the clip and
// open_clip packages ship the merges file inside their package folder.
std::vector<std::string> pythonSitePatterns()
{
    std::vector<std::string> patterns = {
        "/usr/lib/python3/dist-packages",
        "/usr/local/lib/python3.*/dist-packages",
        "/usr/local/lib/python3.*/site-packages",
    };
    const std::string home = environment("HOME");
    if (!home.empty())
        patterns.push_back(home + "/.local/lib/python3.*/site-packages");
    for (const char* prefixVariable : {"VIRTUAL_ENV", "CONDA_PREFIX"}) {
        const std::string prefix = environment(prefixVariable);
        if (!prefix.empty())
            patterns.push_back(prefix + "/lib/python3.*/site-packages");
    }
    if (!home.empty())
        patterns.push_back(home + "/.pyenv/versions/*/lib/python3.*/site-packages");
    return patterns;
}

}  // namespace

std::vector<std::string> clipMergesCandidates(const MergesSearch& search)
{
    std::vector<std::string> candidates;
    if (!search.explicitPath.empty())
        candidates.push_back(search.explicitPath);
    if (!search.sidecarPath.empty())
        candidates.push_back(search.sidecarPath);
    const std::string fromEnvironment = environment("XBT_CLIP_MERGES");
    if (!fromEnvironment.empty())
        candidates.push_back(fromEnvironment);
    if (!search.modelDirectory.empty()) {
        candidates.push_back(search.modelDirectory + "/" + kMergesName + ".gz");
        candidates.push_back(search.modelDirectory + "/" + kMergesName);
    }
    for (const std::string& pattern : pythonSitePatterns()) {
        for (const std::string& site : expandPattern(pattern)) {
            candidates.push_back(site + "/clip/" + kMergesName + ".gz");
            candidates.push_back(site + "/open_clip/" + kMergesName + ".gz");
        }
    }
    return candidates;
}

std::string locateClipMerges(const MergesSearch& search)
{
    // An explicit choice must not silently fall back to some other file.
    if (!search.explicitPath.empty()) {
        std::string why;
        if (openRegularFile(search.explicitPath, why).get() < 0)
            throw Error("CLIP merges file '" + search.explicitPath + "' (given with --merges) " + why +
                        "; give the merges file itself (" + std::string(kMergesName) + ".gz)");
        return search.explicitPath;
    }
    const std::vector<std::string> candidates = clipMergesCandidates(search);
    for (const std::string& candidate : candidates)
        if (fileExists(candidate))
            return candidate;
    std::string message = "CLIP's BPE merges file (" + std::string(kMergesName) + ".gz) was not found; looked in:";
    for (const std::string& candidate : candidates)
        message += "\n  " + candidate;
    message += "\nPass --merges FILE, or set \"merges\" in the model's sidecar JSON"
               " (the file comes with the clip and open_clip Python packages).";
    throw Error(message);
}

}  // namespace xbt

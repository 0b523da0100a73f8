#include "core/gallery/FolderScanner.h"

#include "core/data/ImageFiles.h"
#include "core/util/Error.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fnmatch.h>
#include <set>
#include <sys/stat.h>
#include <utility>

namespace xbt {

namespace {

int64_t mtimeNs(const struct stat& st)
{
    return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

}  // namespace

bool FolderScan::sawAbsence(const std::string& relativePath) const
{
    for (const std::string& dir : unlisted) {
        if (dir.empty())
            return false;
        if (relativePath.size() > dir.size() && relativePath.compare(0, dir.size(), dir) == 0 &&
            relativePath[dir.size()] == '/')
            return false;
    }
    return true;
}

FolderScanner::FolderScanner(std::string root, std::vector<std::string> excludes, std::vector<std::string> skipFolders)
    : root_(std::move(root)), excludes_(std::move(excludes)), skipFolders_(std::move(skipFolders))
{
}

bool FolderScanner::excluded(const std::string& relativePath) const
{
    return std::any_of(excludes_.begin(), excludes_.end(),
                       [&](const std::string& glob) { return ::fnmatch(glob.c_str(), relativePath.c_str(), 0) == 0; });
}

FolderScan FolderScanner::scan(const CancelToken& cancel) const
{
    struct stat rootStat {};
    if (::stat(root_.c_str(), &rootStat) != 0)
        throw Error(root_ + ": cannot read the folder (" + std::strerror(errno) + ")");
    if (!S_ISDIR(rootStat.st_mode))
        throw Error(root_ + ": not a folder; give the folder of images to index");
    FolderScan out;
    std::set<std::pair<dev_t, ino_t>> visited{{rootStat.st_dev, rootStat.st_ino}};
    // Skipped folders count as visited: compared by identity, so that any
    // spelling of the path (links, bind mounts) is caught.
    for (const std::string& skip : skipFolders_) {
        struct stat st {};
        if (::stat(skip.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
            visited.insert({st.st_dev, st.st_ino});
    }
    // Depth-first with an explicit stack: deep trees cannot overflow the call stack.
    std::vector<std::string> pending{""};
    while (!pending.empty()) {
        cancel.throwIfCancelled();
        const std::string relDir = pending.back();
        pending.pop_back();
        const std::string absDir = relDir.empty() ? root_ : root_ + "/" + relDir;
        DIR* dir = ::opendir(absDir.c_str());
        if (!dir) {
            if (relDir.empty())
                out.rootError = std::strerror(errno);
            out.problems.push_back((relDir.empty() ? std::string(".") : relDir) + ": cannot list (" +
                                   std::strerror(errno) + ")");
            out.unlisted.push_back(relDir);
            continue;
        }
        for (;;) {
            errno = 0;
            const dirent* entry = ::readdir(dir);
            if (!entry) {
                // An error part-way (an I/O error, a drive gone): what was
                // not listed must not look deleted.
                if (errno != 0) {
                    out.problems.push_back((relDir.empty() ? std::string(".") : relDir) +
                                           ": listing stopped part-way (" + std::strerror(errno) + ")");
                    out.unlisted.push_back(relDir);
                    if (relDir.empty())
                        out.rootError = std::strerror(errno);
                }
                break;
            }
            const std::string name = entry->d_name;
            if (name == "." || name == "..")
                continue;
            const std::string rel = relDir.empty() ? name : relDir + "/" + name;
            const std::string abs = root_ + "/" + rel;
            struct stat link {};
            if (::lstat(abs.c_str(), &link) != 0)
                continue;  // vanished while listing
            if (S_ISDIR(link.st_mode)) {
                if (!excluded(rel) && visited.insert({link.st_dev, link.st_ino}).second)
                    pending.push_back(rel);
                continue;
            }
            if (!hasImageExtension(name) || excluded(rel))
                continue;
            struct stat target = link;
            // A symlink counts as its target when that is a regular file;
            // links to folders are never followed, dangling links are skipped.
            if (S_ISLNK(link.st_mode) && ::stat(abs.c_str(), &target) != 0)
                continue;
            if (!S_ISREG(target.st_mode))
                continue;
            out.files.push_back({rel, abs, static_cast<int64_t>(target.st_size), mtimeNs(target)});
        }
        ::closedir(dir);
    }
    std::sort(out.files.begin(), out.files.end(),
              [](const ScannedFile& a, const ScannedFile& b) { return a.path < b.path; });
    return out;
}

}  // namespace xbt

#pragma once
// Finds a gallery's image files: a recursive walk of the root that never
// follows directory symlinks (and skips a directory met twice through bind
// mounts), keeps image extensions only, and drops paths matching an exclude
// glob (fnmatch on the root-relative path; '*' also matches '/'). A file
// symlink counts as the file it points to. Folders given as `skipFolders`
// (the workspace itself, when it lies inside the indexed folder) are not
// walked: a gallery never indexes its own report charts.

#include "core/util/Progress.h"

#include <cstdint>
#include <string>
#include <vector>

namespace xbt {

struct ScannedFile {
    std::string path;      // relative to the root, raw bytes
    std::string absolute;
    int64_t size = 0;
    int64_t mtimeNs = 0;
};

struct FolderScan {
    std::vector<ScannedFile> files;      // sorted by path
    std::vector<std::string> problems;   // folders that could not be listed, with the reason
    std::vector<std::string> unlisted;   // those folders' root-relative paths ("" for the root)
    std::string rootError;               // why the root itself could not be listed; empty when it was

    // Whether the scan can vouch that `relativePath` is not on disk: false
    // when the path lies in (or below) a folder that could not be listed, so
    // that an unreadable or vanished-while-scanning folder never looks empty.
    bool sawAbsence(const std::string& relativePath) const;
};

class FolderScanner {
public:
    FolderScanner(std::string root, std::vector<std::string> excludes, std::vector<std::string> skipFolders = {});
    // Throws xbt::Error when the root itself is not a readable folder.
    FolderScan scan(const CancelToken& cancel = {}) const;
    bool excluded(const std::string& relativePath) const;

private:
    std::string root_;
    std::vector<std::string> excludes_;
    std::vector<std::string> skipFolders_;
};

}  // namespace xbt

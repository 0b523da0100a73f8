#pragma once
// Which files count as images, and how a set of image inputs is named on the
// command line: a folder (recursive, sorted by path) or a list file.

#include <string>
#include <vector>

namespace xbt {

// jpg, jpeg, png, webp, bmp, tif, tiff, case-insensitive.
bool hasImageExtension(const std::string& path);

struct ImageInput {
    std::string path;   // where to read it
    std::string label;  // how to name it in outputs (the folder-relative path, or the list line)
};

// Every image under `folder`, recursively, sorted by path. Symbolic links to
// directories are not followed, so link loops cannot trap the scan.
std::vector<ImageInput> listImageFolder(const std::string& folder);
// One path per line, relative to the list file's folder; blank lines skipped.
std::vector<ImageInput> readImageList(const std::string& listFile);
// A folder or a list file, whichever `spec` is.
std::vector<ImageInput> resolveImageInputs(const std::string& spec);

}  // namespace xbt

#pragma once
// Small file helpers with user-facing errors (the path is always named).

#include <string>
#include <vector>

namespace xbt {

std::string readFileBytes(const std::string& path);
// Reads a UTF-8 text file into lines, line endings (\n or \r\n) stripped.
std::vector<std::string> readTextLines(const std::string& path);
// Writes to a temporary name beside `path`, syncs, then renames over `path`:
// readers see either the old file or the new one, never a torn write.
void writeFileAtomic(const std::string& path, const std::string& content);
bool fileExists(const std::string& path);
// The directory part of a path ("." when there is none).
std::string parentDirectory(const std::string& path);
// `relative` resolved against `base` when it is not absolute.
std::string resolvePath(const std::string& base, const std::string& relative);

}  // namespace xbt

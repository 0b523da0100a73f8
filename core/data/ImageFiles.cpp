#include "core/data/ImageFiles.h"

#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace xbt {

namespace fs = std::filesystem;

bool hasImageExtension(const std::string& path)
{
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    static const char* const kExtensions[] = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"};
    return std::any_of(std::begin(kExtensions), std::end(kExtensions), [&](const char* e) { return ext == e; });
}

std::vector<ImageInput> listImageFolder(const std::string& folder)
{
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw Error(folder + ": not a folder");
    std::vector<ImageInput> out;
    const auto options = fs::directory_options::skip_permission_denied;
    for (fs::recursive_directory_iterator it(folder, options, ec), end; it != end; it.increment(ec)) {
        if (ec)
            throw Error(folder + ": cannot list (" + ec.message() + ")");
        if (!it->is_regular_file(ec) || !hasImageExtension(it->path().string()))
            continue;
        out.push_back({it->path().string(), it->path().lexically_relative(folder).string()});
    }
    if (ec)
        throw Error(folder + ": cannot list (" + ec.message() + ")");
    std::sort(out.begin(), out.end(), [](const ImageInput& a, const ImageInput& b) { return a.label < b.label; });
    return out;
}

std::vector<ImageInput> readImageList(const std::string& listFile)
{
    const std::string base = parentDirectory(listFile);
    std::vector<ImageInput> out;
    for (const std::string& line : readTextLines(listFile)) {
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        out.push_back({resolvePath(base, line), line});
    }
    return out;
}

std::vector<ImageInput> resolveImageInputs(const std::string& spec)
{
    std::error_code ec;
    if (fs::is_directory(spec, ec))
        return listImageFolder(spec);
    if (fs::is_regular_file(spec, ec)) {
        if (hasImageExtension(spec))
            throw Error(spec + ": expected a folder or a text file listing image paths, not an image");
        return readImageList(spec);
    }
    throw Error(spec + ": no such folder or list file");
}

}  // namespace xbt

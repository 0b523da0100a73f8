#include "core/data/CaptionedSplit.h"

#include "core/data/CaptionsTsv.h"
#include "core/data/ImageFiles.h"
#include "core/util/Error.h"

#include <algorithm>
#include <filesystem>
#include <unordered_map>

namespace xbt {

bool CaptionedSplit::hasCategories() const
{
    for (const std::string& c : imageCategory)
        if (!c.empty())
            return true;
    return false;
}

std::vector<std::string> CaptionedSplit::categories() const
{
    std::vector<std::string> out;
    for (const std::string& c : imageCategory)
        if (!c.empty() && std::find(out.begin(), out.end(), c) == out.end())
            out.push_back(c);
    return out;
}

CaptionedSplit CaptionedSplit::subset(const std::vector<size_t>& keptImages) const
{
    CaptionedSplit out;
    out.root = root;
    std::vector<int64_t> newIndex(images.size(), -1);
    for (size_t k = 0; k < keptImages.size(); ++k) {
        newIndex[keptImages[k]] = static_cast<int64_t>(k);
        out.images.push_back(images[keptImages[k]]);
        out.imageCategory.push_back(imageCategory[keptImages[k]]);
    }
    for (size_t t = 0; t < captions.size(); ++t) {
        const int64_t i = newIndex[static_cast<size_t>(captionImage[t])];
        if (i < 0)
            continue;
        out.captions.push_back(captions[t]);
        out.captionImage.push_back(i);
        out.captionCategory.push_back(captionCategory[t]);
    }
    return out;
}

CaptionedSplit loadCaptionedSplit(const std::string& folder)
{
    const std::string file = (std::filesystem::path(folder) / "captions.tsv").string();
    if (!std::filesystem::is_regular_file(file))
        throw Error(folder + ": not a split folder (no captions.tsv: expected images plus captions.tsv with lines "
                    "'path TAB caption [TAB category]')");
    const CaptionsTsv tsv = readCaptionsTsv(file);
    if (tsv.records.empty())
        throw Error(file + ": no captions");
    CaptionedSplit split;
    split.root = folder;
    std::unordered_map<std::string, int64_t> indexOf;
    for (const CaptionRecord& r : tsv.records) {
        auto [it, added] = indexOf.emplace(r.path, static_cast<int64_t>(split.images.size()));
        if (added) {
            split.images.push_back(r.path);
            split.imageCategory.push_back(r.category);
        } else if (split.imageCategory[static_cast<size_t>(it->second)] != r.category) {
            throw Error(file + " line " + std::to_string(r.line) + ": " + r.path + " has captions of two categories ('" +
                        split.imageCategory[static_cast<size_t>(it->second)] + "' and '" + r.category +
                        "'); a scene's captions share its category");
        }
        split.captions.push_back(r.caption);
        split.captionImage.push_back(it->second);
        split.captionCategory.push_back(r.category);
    }
    return split;
}

CaptionedSplit loadImageFolderSplit(const std::string& folder)
{
    if (!std::filesystem::is_directory(folder))
        throw Error(folder + ": not a folder (expected a folder of images)");
    CaptionedSplit split;
    split.root = folder;
    for (const ImageInput& image : listImageFolder(folder))
        split.images.push_back(image.label);
    if (split.images.empty())
        throw Error(folder + ": no image found (looked for jpg, jpeg, png, webp, bmp, tif and tiff files, recursively)");
    return split;
}

}  // namespace xbt

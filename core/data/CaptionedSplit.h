#pragma once
// A split folder (images + captions.tsv) as evaluation needs it: the distinct
// images in order of first appearance, every caption with the image it
// belongs to, and categories when the file carries them.

#include <cstdint>
#include <string>
#include <vector>

namespace xbt {

struct CaptionedSplit {
    std::string root;                      // the split folder
    std::vector<std::string> images;       // paths relative to root
    std::vector<std::string> imageCategory;
    std::vector<std::string> captions;
    std::vector<int64_t> captionImage;     // index into images
    std::vector<std::string> captionCategory;

    bool hasCategories() const;
    // Distinct categories in order of first appearance.
    std::vector<std::string> categories() const;
    // Keeps only the given images (by index, in that order) and their captions.
    CaptionedSplit subset(const std::vector<size_t>& keptImages) const;
};

// Reads <folder>/captions.tsv; errors name the file and line. An image whose
// captions disagree on the category is an error naming it.
CaptionedSplit loadCaptionedSplit(const std::string& folder);
// Every image under `folder` (recursively, sorted by path) as a split without
// captions: unlabelled images, such as a sample of a gallery's own. A
// captions.tsv there is not read. Throws xbt::Error naming the folder when it
// is missing or holds no image.
CaptionedSplit loadImageFolderSplit(const std::string& folder);

}  // namespace xbt

#pragma once
// Where one gallery's files live inside its folder (WS/galleries/NAME/), and
// how its two index caches are configured from its settings.

#include "core/gallery/GalleryIndex.h"
#include "core/gallery/GallerySettings.h"

#include <string>

namespace xbt {

struct GalleryFiles {
    std::string dir;
    std::string database;      // gallery.sqlite
    std::string imageIndex;    // images.faiss (+ .json sidecar)
    std::string captionIndex;  // captions.faiss (+ .json sidecar)
};

GalleryFiles galleryFiles(const std::string& galleryDir);
// The image gallery follows the settings (flat or IVF); the caption gallery
// is always flat: captions are few per image and exact search is cheap.
GalleryIndex::Config imageIndexConfig(const GalleryFiles& files, const GallerySettings& settings);
GalleryIndex::Config captionIndexConfig(const GalleryFiles& files, const GallerySettings& settings);

}  // namespace xbt

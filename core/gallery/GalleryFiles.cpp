#include "core/gallery/GalleryFiles.h"

namespace xbt {

GalleryFiles galleryFiles(const std::string& galleryDir)
{
    return {galleryDir, galleryDir + "/gallery.sqlite", galleryDir + "/images.faiss", galleryDir + "/captions.faiss"};
}

GalleryIndex::Config imageIndexConfig(const GalleryFiles& files, const GallerySettings& settings)
{
    return {files.imageIndex, settings.embeddingDim, settings.indexType, settings.nlist, settings.nprobe};
}

GalleryIndex::Config captionIndexConfig(const GalleryFiles& files, const GallerySettings& settings)
{
    return {files.captionIndex, settings.embeddingDim, IndexType::Flat, 0, 0};
}

}  // namespace xbt

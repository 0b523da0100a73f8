#include "core/gallery/ThumbnailCache.h"

#include "core/image/Thumbnail.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <filesystem>

namespace xbt {

ThumbnailCache::ThumbnailCache(const std::string& workspaceDir) : layout_(workspaceDir) {}

std::string ThumbnailCache::pathFor(const std::string& gallery, int64_t itemId, const std::string& contentHash) const
{
    return layout_.galleryThumbnailDir(gallery) + "/" + std::to_string(itemId) + "-" + contentHash.substr(0, 16) +
           ".png";
}

std::string ThumbnailCache::thumbnail(const std::string& gallery, int64_t itemId, const std::string& contentHash,
                                      const std::string& imagePath) const
{
    const std::string path = pathFor(gallery, itemId, contentHash);
    // Only a plain file counts: a link planted in the cache is replaced,
    // never read through.
    if (isPlainFile(path))
        return path;
    const std::vector<uint8_t> png = makeThumbnailPng(imagePath, kSide);
    const char* const rule = "the workspace's thumbnail cache must be a real folder inside it";
    ensureRealFolder(layout_.thumbnailDir(), rule);
    ensureRealFolder(layout_.galleryThumbnailDir(gallery), rule);
    writeFileAtomic(path, std::string(png.begin(), png.end()));
    return path;
}

}  // namespace xbt

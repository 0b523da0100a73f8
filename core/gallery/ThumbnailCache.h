#pragma once
// A disk cache of upright thumbnails (PNG, longer side 256 px) under
// WS/cache/thumbnails/GALLERY/, keyed by item id and content hash: a changed
// file gets a new thumbnail, and the cache can be deleted at any time.

#include "core/workspace/WorkspaceLayout.h"

#include <cstdint>
#include <string>

namespace xbt {

class ThumbnailCache {
public:
    static constexpr int kSide = 256;

    explicit ThumbnailCache(const std::string& workspaceDir);
    // The cached PNG's path, making it from `imagePath` first when missing.
    // Throws xbt::ImageError when the image cannot be decoded.
    std::string thumbnail(const std::string& gallery, int64_t itemId, const std::string& contentHash,
                          const std::string& imagePath) const;
    std::string pathFor(const std::string& gallery, int64_t itemId, const std::string& contentHash) const;

private:
    WorkspaceLayout layout_;
};

}  // namespace xbt

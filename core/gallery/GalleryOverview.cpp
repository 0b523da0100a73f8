#include "core/gallery/GalleryOverview.h"

#include "core/gallery/GalleryFiles.h"
#include "core/workspace/Workspace.h"

namespace xbt {

std::vector<GalleryOverview> galleryOverviews(const Workspace& workspace)
{
    std::vector<GalleryOverview> out;
    for (const std::string& name : workspace.galleries()) {
        GalleryOverview g;
        g.name = name;
        try {
            const GalleryStore store =
                GalleryStore::open(galleryFiles(workspace.galleryDir(name)).database, GalleryStore::Mode::ReadOnly);
            g.settings = store.settings();
            g.counts = store.counts();
            g.secondSpace = store.secondSpace();
            if (g.secondSpace)
                g.secondSpaceCounts = store.secondSpaceCounts();
                g.sideInformationCounts = store.sideInformationCounts();
        } catch (const std::exception& e) {
            g.error = e.what();
        }
        out.push_back(std::move(g));
    }
    return out;
}

}  // namespace xbt

// xbt galleries: list a workspace's galleries; rename or delete one.
#include "app/xbt/Command.h"
#include "app/xbt/WorkspaceEntryCli.h"
#include "core/gallery/GalleryOverview.h"
#include "core/model/EmbeddingModel.h"
#include "core/workspace/Workspace.h"
#include "core/util/Error.h"
#include "core/util/Utf8.h"

#include <cstdio>

namespace xbt::cli {

namespace {

// A name as the user must type it: quoted when spaces at its ends would
// otherwise hide ("default " made by an older version beside "default").
std::string shownName(const std::string& name)
{
    const std::string escaped = escapeInvalidUtf8(name);
    return name.front() == ' ' || name.back() == ' ' ? "'" + escaped + "'" : escaped;
}

// False when some gallery could not be read.
bool printList(const Workspace& workspace)
{
    const std::vector<std::string> names = workspace.galleries();
    if (names.empty()) {
        std::printf("no galleries in %s (create one with xbt index)\n", workspace.dir().c_str());
        return true;
    }
    bool allRead = true;
    for (const GalleryOverview& g : galleryOverviews(workspace)) {
        if (!g.error.empty()) {
            std::printf("%-20s (cannot be read: %s)\n", shownName(g.name).c_str(), g.error.c_str());
            allRead = false;
            continue;
        }
        const GallerySettings& s = g.settings;
        std::printf("%-20s %9lld %7lld %9lld  %-16s %-12s %-5s %-7s  %s\n", shownName(g.name).c_str(),
                    static_cast<long long>(g.counts.embedded), static_cast<long long>(g.counts.failed),
                    static_cast<long long>(g.counts.captions), s.modelName.c_str(),
                    fingerprintPrefix(s.modelFingerprint).c_str(), indexTypeName(s.indexType),
                    precisionName(s.precision), s.root.c_str());
        if (g.secondSpace && g.secondSpace->retired)
            std::printf("%-20s   retired model kept for rollback: %s (xbt backfill --drop-old drops it)\n", "",
                        g.secondSpace->modelName.c_str());
        else if (g.secondSpace)
            std::printf("%-20s   new-model store: %s, %lld of %lld images backfilled\n", "",
                        g.secondSpace->modelName.c_str(), static_cast<long long>(g.secondSpaceCounts.images),
                        static_cast<long long>(g.counts.embedded));
        if (s.sideInformation)
            std::printf("%-20s   side information: %lld of %lld images, %lld of %lld captions\n", "",
                        static_cast<long long>(g.sideInformationCounts.images),
                        static_cast<long long>(g.counts.embedded),
                        static_cast<long long>(g.sideInformationCounts.captions),
                        static_cast<long long>(g.counts.captions));
    }
    return allRead;
}

int run(const CliArgs& args)
{
    const std::string dir = args.required("workspace");
    if (args.has("rename") || args.has("delete")) {
        Workspace workspace = Workspace::open(dir, Workspace::Mode::ReadWrite);
        return renameOrDelete(args, "gallery", [&](const std::string& from, const std::string& to) {
            workspace.renameGallery(from, to);
        }, [&](const std::string& name) { workspace.deleteGallery(name); });
    }
    if (!args.positional().empty())
        throw UsageError("unexpected argument '" + args.positional().front() + "'");
    return printList(Workspace::open(dir, Workspace::Mode::ReadOnly)) ? kExitOk : kExitPartial;
}

}  // namespace

Command makeGalleriesCommand()
{
    return {"galleries",
            "list a workspace's galleries (items, captions, model, index); rename or delete one",
            "xbt galleries --workspace WS [--rename OLD NEW | --delete NAME]",
            {{"workspace", "WS", "workspace folder"},
             {"rename", "OLD", "rename gallery OLD to the NEW name given after it"},
             {"delete", "NAME", "delete a gallery and its thumbnails (refused while another process writes)"}},
            run};
}

}  // namespace xbt::cli

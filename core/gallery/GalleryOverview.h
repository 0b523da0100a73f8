#pragma once
// What each gallery of a workspace holds, at a glance: its folder, the model
// that built it and how many items it has. For listings and for finding a
// workspace's upgrade when it has no upgrade.json.

#include "core/gallery/GalleryStore.h"

#include <optional>
#include <string>
#include <vector>

namespace xbt {

class Workspace;

struct GalleryOverview {
    std::string name;
    GallerySettings settings;  // folder, model (spec, name, fingerprint), index, precision
    ItemCounts counts;
    // The second embedding space (a backfill's new-model store, or after a
    // promote the retired model), when it has one, and what it holds.
    std::optional<SecondSpace> secondSpace;
    SecondSpaceCounts secondSpaceCounts;
    SideInformationCounts sideInformationCounts;
    std::string error;         // set when the gallery could not be read (the rest is empty)
};

// Every gallery of the workspace, sorted by name; one that cannot be read
// is listed with its error rather than left out.
std::vector<GalleryOverview> galleryOverviews(const Workspace& workspace);

}  // namespace xbt

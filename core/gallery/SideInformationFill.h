#pragma once
// Gives every embedded image and every caption of a gallery its side
// information (core/embed/SideInformation.h) when it has none for its current
// content: after an indexing run of a gallery that stores it, and for a
// gallery that just started to (its images are read once more; no model
// runs). One store transaction per batch: a cancelled or killed run keeps
// what it committed, and the next run does the rest.

#include "core/gallery/GalleryStore.h"
#include "core/util/Progress.h"

#include <string>
#include <vector>

namespace xbt {

struct SideInformationFill {
    int64_t images = 0;    // images given side information by this run
    int64_t captions = 0;
    int64_t skipped = 0;   // images that could not be read (or changed meanwhile); retried next run
    std::vector<std::string> problems;  // the first few, "path: reason"
    bool cancelled = false;
};

// "side information: 9 images and 2 captions given theirs, ..." then a line per
// problem kept; none when the run had nothing to compute.
std::vector<std::string> describeSideInformationFill(const SideInformationFill& fill);

// `root`: the gallery's folder (the items' paths are relative to it).
SideInformationFill fillSideInformation(GalleryStore& store, const std::string& root,
                                        const ProgressCallback& progress = {}, const CancelToken& cancel = {});

}  // namespace xbt

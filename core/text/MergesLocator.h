#pragma once
// Finds CLIP's BPE merges file (bpe_simple_vocab_16e6.txt.gz). Users of real
// CLIP models already have it beside their clip / open_clip installation.

#include <string>
#include <vector>

namespace xbt {

struct MergesSearch {
    std::string explicitPath;   // --merges: must exist when given
    std::string sidecarPath;    // "merges" from the sidecar, already resolved against its folder
    std::string modelDirectory; // the archive's folder, searched too
};

// Returns the first existing candidate, in the order: explicit path, sidecar,
// $XBT_CLIP_MERGES, the model's folder, the usual clip/open_clip package
// folders of Python installations. Throws xbt::Error listing every place it looked.
std::string locateClipMerges(const MergesSearch& search);
// The candidates in search order (for messages and tests).
std::vector<std::string> clipMergesCandidates(const MergesSearch& search);

}  // namespace xbt

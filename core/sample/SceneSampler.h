#pragma once
// Draws the scenes of one split: unique signatures owned by that split,
// categories interleaved for balance, and every binding or relation scene
// together with its hard-case twin (the same objects with one attribute
// swapped between them, or the same relation reversed).

#include "core/sample/SampleScene.h"
#include "core/sample/SampleSplit.h"
#include "core/util/Progress.h"

#include <cstdint>
#include <vector>

namespace xbt {

class SceneSampler {
public:
    SceneSampler(uint64_t seed, SampleSplit split);

    // The first `count` scenes of the split (a prefix of any longer draw with
    // the same seed). When single or count signatures of the split run out,
    // the remaining scenes come from the other categories.
    std::vector<SampleScene> sample(int count, const CancelToken& cancel = {}) const;

    // Every single / count signature the split owns (for capacity reports).
    std::vector<SceneDescription> ownedSingles() const;
    std::vector<SceneDescription> ownedCounts() const;

private:
    uint64_t seed_;
    SampleSplit split_;
};

// Nominal radius in pixels for each size (at 128 x 128).
int sampleRadius(Size size);

}  // namespace xbt

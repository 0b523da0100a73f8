#pragma once
// The sample world's splits and which signatures belong to which. Every
// possible signature is owned by exactly one split, decided by a stable hash
// of (seed, assignment key), so splits are disjoint by construction and any
// split can be generated alone. Two-object scenes hash their attribute-binding
// orbit (twoObjectOrbitKey), so a hard-case pair always lands in one split.

#include "core/sample/SceneDescription.h"

#include <cstdint>
#include <string>
#include <vector>

namespace xbt {

enum class SampleSplit { TrainBase, Pairs, Corpus, Val, Test };

// "train-base", "pairs", "corpus", "val", "test".
const std::vector<std::string>& sampleSplitNames();
const char* sampleSplitName(SampleSplit split);
// Throws xbt::Error listing the valid names.
SampleSplit parseSampleSplit(const std::string& name);
// Share of the signature space, in percent (sums to 100).
int sampleSplitWeightPercent(SampleSplit split);

// The split that owns `description` (its objects, count, relation, location
// and arrangement must be filled in).
SampleSplit owningSplit(uint64_t seed, const SceneDescription& description);
// Two looks form binding scenes or relation scenes, never both: a binding
// caption ("a red circle and a blue star") also describes every relation scene
// of the same two objects, so the orbit decides once which category it feeds.
Category twoObjectCategory(uint64_t seed, const ObjectLook& a, const ObjectLook& b);

}  // namespace xbt

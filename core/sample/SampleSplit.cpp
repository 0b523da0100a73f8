#include "core/sample/SampleSplit.h"

#include "core/sample/SampleRandom.h"
#include "core/util/Error.h"

namespace xbt {

namespace {

// In the order of the enum. train-base gets most of the space; val and test
// still own enough single and count signatures for ~1,500 balanced scenes.
constexpr int kWeightPercent[] = {60, 8, 20, 6, 6};

uint64_t assignmentHash(uint64_t seed, const SceneDescription& d)
{
    if (d.category == Category::Binding || d.category == Category::Relation)
        return stableHash("two-objects:" + twoObjectOrbitKey(d.objects.at(0), d.objects.at(1)), seed);
    return stableHash(d.signature(), seed);
}

}  // namespace

const std::vector<std::string>& sampleSplitNames()
{
    static const std::vector<std::string> names = {"train-base", "pairs", "corpus", "val", "test"};
    return names;
}

const char* sampleSplitName(SampleSplit split)
{
    return sampleSplitNames()[static_cast<size_t>(split)].c_str();
}

SampleSplit parseSampleSplit(const std::string& name)
{
    const std::vector<std::string>& names = sampleSplitNames();
    for (size_t i = 0; i < names.size(); ++i)
        if (names[i] == name)
            return static_cast<SampleSplit>(i);
    std::string valid;
    for (const std::string& n : names)
        valid += (valid.empty() ? "" : ", ") + n;
    throw Error("unknown sample split '" + name + "' (valid splits: " + valid + ")");
}

int sampleSplitWeightPercent(SampleSplit split)
{
    return kWeightPercent[static_cast<int>(split)];
}

SampleSplit owningSplit(uint64_t seed, const SceneDescription& description)
{
    const int bucket = static_cast<int>(assignmentHash(seed, description) % 100);
    int upper = 0;
    for (int i = 0; i < 5; ++i) {
        upper += kWeightPercent[i];
        if (bucket < upper)
            return static_cast<SampleSplit>(i);
    }
    return SampleSplit::Test;
}

Category twoObjectCategory(uint64_t seed, const ObjectLook& a, const ObjectLook& b)
{
    return (stableHash("mode:" + twoObjectOrbitKey(a, b), seed) & 1) ? Category::Relation : Category::Binding;
}

}  // namespace xbt

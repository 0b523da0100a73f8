#include "core/sample/SceneSampler.h"

#include "core/sample/SamplePalette.h"
#include "core/sample/SampleRandom.h"
#include "core/util/Error.h"

#include <algorithm>
#include <unordered_set>

namespace xbt {

namespace {

constexpr int kMargin = 3;
constexpr int kCanvas = kSampleImageSize;
constexpr int kMaxRotation = 15;
// Two-object draws are rejected when the orbit belongs to another split or
// category; this many misses in a row means the split's space is used up.
constexpr int kMaxTwoObjectAttempts = 200000;

// Half the width a shape may take, rotation included: the widest shapes
// (triangle, diamond) reach 1.35 radii, plus the outline.
int extent(int radius)
{
    return (radius * 27 + 19) / 20 + 1;
}

// A coordinate for cell 0, 1 or 2 of a 3x3 grid.
int cellCoordinate(int cell, int e, SampleRandom& rng)
{
    if (cell == 0)
        return rng.between(e + kMargin, e + kMargin + 6);
    if (cell == 2)
        return kCanvas - rng.between(e + kMargin, e + kMargin + 6);
    return rng.between(58, 70);
}

PlacedObject place(const ObjectLook& look, int x, int y, int rotation)
{
    return {look, x, y, sampleRadius(look.size), rotation};
}

// Two objects with `first` left of (horizontal) or above `second`, close
// enough to read as a pair and allowed to overlap slightly.
std::vector<PlacedObject> placePair(const ObjectLook& first, const ObjectLook& second, bool horizontal,
                                    SampleRandom& rng)
{
    const int rA = sampleRadius(first.size), rB = sampleRadius(second.size);
    const int eA = extent(rA), eB = extent(rB);
    const int minR = std::min(rA, rB);
    const int along = eA + eB + rng.between(-minR / 3, 10);
    const int across = rng.between(-minR / 3, minR / 3);
    // Along the relation axis: first at a, second at a + along.
    const int a = rng.between(kMargin + eA, kCanvas - kMargin - eB - along);
    // Across it: both centres inside the canvas.
    const int lo = std::max(kMargin + eA, kMargin + eB - across);
    const int hi = std::min(kCanvas - kMargin - eA, kCanvas - kMargin - eB - across);
    const int c = rng.between(lo, hi);
    const int rotA = rng.between(-kMaxRotation, kMaxRotation), rotB = rng.between(-kMaxRotation, kMaxRotation);
    std::vector<PlacedObject> placed;
    if (horizontal)
        placed = {place(first, a, c, rotA), place(second, a + along, c + across, rotB)};
    else
        placed = {place(first, c, a, rotA), place(second, c + across, a + along, rotB)};
    if (rng.percent(50))
        std::swap(placed[0], placed[1]);
    return placed;
}

std::vector<PlacedObject> placeCount(const SceneDescription& d, SampleRandom& rng)
{
    const ObjectLook& look = d.objects[0];
    const int r = sampleRadius(look.size), e = extent(r);
    const int spacing = 2 * e + rng.between(0, 3);
    const int span = (d.count - 1) * spacing;
    const int start = kCanvas / 2 - span / 2;
    const int jitter =
        rng.between(std::max(-6, kMargin + e - start), std::min(6, kCanvas - kMargin - e - start - span));
    const int loc = static_cast<int>(d.location);
    const bool row = d.arrangement == Arrangement::Row;
    const int band = cellCoordinate(row ? loc / 3 : loc % 3, e, rng);
    const int rotation = rng.between(-kMaxRotation, kMaxRotation);
    std::vector<PlacedObject> placed;
    for (int i = 0; i < d.count; ++i) {
        const int along = start + jitter + i * spacing;
        placed.push_back(row ? place(look, along, band, rotation) : place(look, band, along, rotation));
    }
    return placed;
}

std::vector<PlacedObject> layout(const SceneDescription& d, SampleRandom& rng)
{
    switch (d.category) {
    case Category::Single: {
        const ObjectLook& look = d.objects[0];
        const int e = extent(sampleRadius(look.size));
        const int loc = static_cast<int>(d.location);
        const int x = cellCoordinate(loc % 3, e, rng);
        const int y = cellCoordinate(loc / 3, e, rng);
        return {place(look, x, y, rng.between(-kMaxRotation, kMaxRotation))};
    }
    case Category::Binding:
        // "next to": side by side, in either order.
        return rng.percent(50) ? placePair(d.objects[0], d.objects[1], true, rng)
                               : placePair(d.objects[1], d.objects[0], true, rng);
    case Category::Relation:
        return placePair(d.objects[0], d.objects[1], d.relation == Relation::LeftOf, rng);
    case Category::Count:
        return placeCount(d, rng);
    }
    return {};
}

BackgroundSpec drawBackground(const SceneDescription& d, SampleRandom& rng)
{
    std::vector<int> tones;
    for (int t = 0; t < static_cast<int>(backgroundTones().size()); ++t) {
        bool visible = true;
        for (const ObjectLook& o : d.objects)
            visible = visible && contrastsWithBackground(o.colour, t);
        if (visible)
            tones.push_back(t);
    }
    BackgroundSpec b;
    b.style = static_cast<BackgroundStyle>(rng.below(4));
    b.tone = rng.pick(tones);
    b.direction = rng.between(0, 3);
    b.stripePeriod = rng.between(10, 22);
    b.noiseSeed = rng.next();
    return b;
}

int differingAttributes(const ObjectLook& a, const ObjectLook& b)
{
    return (a.shape != b.shape) + (a.colour != b.colour) + (a.size != b.size) + (a.fill != b.fill);
}

// Swaps attribute `which` (0 shape, 1 colour, 2 size, 3 fill) between a and b.
void swapAttribute(ObjectLook& a, ObjectLook& b, int which)
{
    switch (which) {
    case 0: std::swap(a.shape, b.shape); break;
    case 1: std::swap(a.colour, b.colour); break;
    case 2: std::swap(a.size, b.size); break;
    default: std::swap(a.fill, b.fill); break;
    }
}

bool differsIn(const ObjectLook& a, const ObjectLook& b, int which)
{
    ObjectLook x = a, y = b;
    swapAttribute(x, y, which);
    return x != a;
}

// The sequential draw: one generator, so the result depends only on (seed, split).
class SplitDraw {
public:
    SplitDraw(uint64_t seed, SampleSplit split, std::vector<SceneDescription> singles,
              std::vector<SceneDescription> counts)
        : seed_(seed), split_(split), rng_(stableHash(std::string("scenes:") + sampleSplitName(split), seed)),
          singles_(std::move(singles)), counts_(std::move(counts))
    {
        rng_.shuffle(singles_);
        rng_.shuffle(counts_);
    }

    std::vector<SampleScene> run(int count, const CancelToken& cancel)
    {
        // Per cycle: two singles, two counts, one binding pair, one relation pair.
        static const Category cycle[] = {Category::Single, Category::Binding, Category::Count,
                                         Category::Relation, Category::Single, Category::Count};
        bool exhausted[kCategoryCount] = {false, false, false, false};
        size_t step = 0;
        while (static_cast<int>(scenes_.size()) < count) {
            cancel.throwIfCancelled();
            const Category c = cycle[step++ % 6];
            if (exhausted[static_cast<int>(c)])
                continue;
            const int room = count - static_cast<int>(scenes_.size());
            if (!drawUnit(c, room))
                exhausted[static_cast<int>(c)] = true;
            if (exhausted[0] && exhausted[1] && exhausted[2] && exhausted[3])
                throw Error(std::string("sample split '") + sampleSplitName(split_) + "' has only "
                            + std::to_string(scenes_.size()) + " distinct scenes for seed " + std::to_string(seed_)
                            + "; ask for fewer");
        }
        return std::move(scenes_);
    }

private:
    bool drawUnit(Category c, int room)
    {
        if (c == Category::Single || c == Category::Count) {
            std::vector<SceneDescription>& pool = c == Category::Single ? singles_ : counts_;
            size_t& next = c == Category::Single ? nextSingle_ : nextCount_;
            if (next >= pool.size())
                return false;
            const SceneDescription& d = pool[next++];
            used_.insert(d.signature());
            add(d, rng_.next());
            return true;
        }
        for (int attempt = 0; attempt < kMaxTwoObjectAttempts; ++attempt) {
            ObjectLook a = ObjectLook::fromIndex(static_cast<int>(rng_.below(kLookCount)));
            ObjectLook b = ObjectLook::fromIndex(static_cast<int>(rng_.below(kLookCount)));
            SceneDescription first, second;
            first.category = second.category = c;
            if (c == Category::Binding) {
                // A twin needs one attribute to swap and another that keeps the two objects apart.
                if (differingAttributes(a, b) < 2)
                    continue;
                std::vector<int> swappable;
                for (int which = 0; which < 4; ++which)
                    if (differsIn(a, b, which))
                        swappable.push_back(which);
                ObjectLook a2 = a, b2 = b;
                swapAttribute(a2, b2, rng_.pick(swappable));
                first.objects = {a, b};
                second.objects = {a2, b2};
            } else {
                if (a == b)
                    continue;
                first.relation = second.relation = rng_.percent(50) ? Relation::LeftOf : Relation::Above;
                first.objects = {a, b};
                second.objects = {b, a};
            }
            if (twoObjectCategory(seed_, a, b) != c || owningSplit(seed_, first) != split_)
                continue;
            const std::string s1 = first.signature(), s2 = second.signature();
            if (used_.count(s1) || used_.count(s2))
                continue;
            used_.insert(s1);
            used_.insert(s2);
            const uint64_t captionSeed = rng_.next();
            const int i = add(first, captionSeed);
            if (room >= 2) {
                const int j = add(second, captionSeed);
                scenes_[static_cast<size_t>(i)].twinIndex = j;
                scenes_[static_cast<size_t>(j)].twinIndex = i;
            }
            return true;
        }
        return false;
    }

    int add(const SceneDescription& d, uint64_t captionSeed)
    {
        SampleScene s;
        s.index = static_cast<int>(scenes_.size());
        s.description = d;
        s.captionSeed = captionSeed;
        SampleRandom layoutRng(rng_.next());
        s.placed = layout(d, layoutRng);
        s.background = drawBackground(d, layoutRng);
        scenes_.push_back(std::move(s));
        return scenes_.back().index;
    }

    uint64_t seed_;
    SampleSplit split_;
    SampleRandom rng_;
    std::vector<SceneDescription> singles_, counts_;
    size_t nextSingle_ = 0, nextCount_ = 0;
    std::unordered_set<std::string> used_;
    std::vector<SampleScene> scenes_;
};

}  // namespace

int sampleRadius(Size size)
{
    static const int radii[] = {9, 13, 18};
    return radii[static_cast<int>(size)];
}

SceneSampler::SceneSampler(uint64_t seed, SampleSplit split) : seed_(seed), split_(split) {}

std::vector<SceneDescription> SceneSampler::ownedSingles() const
{
    std::vector<SceneDescription> owned;
    for (int look = 0; look < kLookCount; ++look)
        for (int loc = 0; loc < kLocationCount; ++loc) {
            SceneDescription d;
            d.category = Category::Single;
            d.objects = {ObjectLook::fromIndex(look)};
            d.location = static_cast<Location>(loc);
            if (owningSplit(seed_, d) == split_)
                owned.push_back(std::move(d));
        }
    return owned;
}

std::vector<SceneDescription> SceneSampler::ownedCounts() const
{
    // Rows use the top/center/bottom bands, columns left/center/right. Three
    // large objects do not fit side by side in 128 pixels, so large scenes count two.
    static const Location rowBands[] = {Location::Top, Location::Center, Location::Bottom};
    static const Location columnBands[] = {Location::Left, Location::Center, Location::Right};
    std::vector<SceneDescription> owned;
    for (int look = 0; look < kLookCount; ++look)
        for (int n = 2; n <= 3; ++n)
            for (Arrangement arrangement : {Arrangement::Row, Arrangement::Column})
                for (int band = 0; band < 3; ++band) {
                    SceneDescription d;
                    d.category = Category::Count;
                    d.objects = {ObjectLook::fromIndex(look)};
                    if (n == 3 && d.objects[0].size == Size::Large)
                        continue;
                    d.count = n;
                    d.arrangement = arrangement;
                    d.location = arrangement == Arrangement::Row ? rowBands[band] : columnBands[band];
                    if (owningSplit(seed_, d) == split_)
                        owned.push_back(std::move(d));
                }
    return owned;
}

std::vector<SampleScene> SceneSampler::sample(int count, const CancelToken& cancel) const
{
    if (count < 0)
        throw Error("scene count must not be negative");
    SplitDraw draw(seed_, split_, ownedSingles(), ownedCounts());
    return draw.run(count, cancel);
}

}  // namespace xbt

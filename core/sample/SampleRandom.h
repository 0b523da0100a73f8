#pragma once
// The sample world's own random numbers and hashes. The standard library's
// distributions and std::shuffle are implementation-defined, so the same seed
// could draw different scenes with another compiler; everything here is plain
// 64-bit integer arithmetic and gives the same stream on every machine.

#include <cstdint>
#include <string>
#include <vector>

namespace xbt {

// SplitMix64's finaliser: a bijective scrambler of 64-bit values.
uint64_t mix64(uint64_t value);
// FNV-1a over the bytes of `text`, scrambled with `seed`: the stable hash that
// assigns signatures to splits and derives per-scene seeds.
uint64_t stableHash(const std::string& text, uint64_t seed);

class SampleRandom {
public:
    explicit SampleRandom(uint64_t seed) : state_(seed) {}

    uint64_t next();
    // Uniform in [0, n) without modulo bias (rejection on the top 32 bits); n > 0.
    uint32_t below(uint32_t n);
    // Uniform in [lo, hi], both included.
    int between(int lo, int hi);
    bool percent(int p) { return below(100) < static_cast<uint32_t>(p); }

    template <typename T>
    const T& pick(const std::vector<T>& items)
    {
        return items[below(static_cast<uint32_t>(items.size()))];
    }

    // Fisher-Yates with this generator (std::shuffle is implementation-defined).
    template <typename T>
    void shuffle(std::vector<T>& items)
    {
        for (size_t i = items.size(); i > 1; --i)
            std::swap(items[i - 1], items[below(static_cast<uint32_t>(i))]);
    }

private:
    uint64_t state_;
};

}  // namespace xbt

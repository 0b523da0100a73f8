#include "core/sample/SampleRandom.h"

namespace xbt {

uint64_t mix64(uint64_t value)
{
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
}

uint64_t stableHash(const std::string& text, uint64_t seed)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return mix64(h ^ mix64(seed + 0x9e3779b97f4a7c15ULL));
}

uint64_t SampleRandom::next()
{
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix64(state_);
}

uint32_t SampleRandom::below(uint32_t n)
{
    const uint64_t range = uint64_t(1) << 32;
    const uint64_t limit = range - range % n;
    for (;;) {
        const uint64_t x = next() >> 32;
        if (x < limit)
            return static_cast<uint32_t>(x % n);
    }
}

int SampleRandom::between(int lo, int hi)
{
    return lo + static_cast<int>(below(static_cast<uint32_t>(hi - lo + 1)));
}

}  // namespace xbt

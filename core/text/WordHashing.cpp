#include "core/text/WordHashing.h"

#include "core/text/WordTokenizer.h"
#include "core/util/Error.h"

#include <cctype>
#include <cmath>
#include <cstdint>

namespace xbt {

namespace {

uint64_t fnv1a(const std::string& text)
{
    uint64_t h = 14695981039346656037ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

void add(std::vector<float>& v, const std::string& feature)
{
    const uint64_t h = fnv1a(feature);
    // The bucket from the low bits, the sign from a high one: independent enough
    // that colliding features cancel on average instead of piling up.
    v[static_cast<size_t>(h % v.size())] += (h >> 63) ? 1.0f : -1.0f;
}

}  // namespace

std::vector<float> hashedWordFeatures(const std::string& text, int dims)
{
    if (dims < 1)
        throw Error("hashed word features: dims must be at least 1 (got " + std::to_string(dims) + ")");
    std::vector<float> v(static_cast<size_t>(dims), 0.0f);
    std::vector<std::string> words;
    for (std::string& w : WordTokenizer::splitWords(text)) {
        const bool punctuation = w.size() == 1 && std::ispunct(static_cast<unsigned char>(w[0])) && w[0] != '\'';
        if (!punctuation)
            words.push_back(std::move(w));
    }
    for (size_t i = 0; i < words.size(); ++i) {
        add(v, "w:" + words[i]);
        if (i + 1 < words.size())
            add(v, "p:" + words[i] + " " + words[i + 1]);
    }
    double norm = 0.0;
    for (float x : v)
        norm += double(x) * x;
    if (norm > 0.0)
        for (float& x : v)
            x = static_cast<float>(x / std::sqrt(norm));
    return v;
}

}  // namespace xbt

#pragma once
// Turns captions into the int64 token ids a text encoder consumes.

#include <cstdint>
#include <string>
#include <vector>

namespace xbt {

class TextTokenizer {
public:
    virtual ~TextTokenizer() = default;

    // Ids of one text, without start/end tokens or padding.
    virtual std::vector<int64_t> encode(const std::string& text) const = 0;
    // Row-major [texts.size(), contextLength] ids exactly as the model reads them
    // (start/end tokens, padding, truncation that keeps the end token last).
    virtual std::vector<int64_t> tokenizeBatch(const std::vector<std::string>& texts, int contextLength) const = 0;
    // "clip-bpe", "sample-words", ...
    virtual std::string kind() const = 0;
    // Stable hash of everything that changes the ids (vocabulary, merges, rules).
    virtual std::string fingerprint() const = 0;
};

}  // namespace xbt

#pragma once
// The built-in sample models' tokenizer: one id per known word. Text is lower-
// cased and split into runs of letters/digits; each punctuation mark that is in
// the vocabulary is its own token, other characters separate words. Unknown
// words map to <unk>, so any text tokenizes.

#include "core/text/TextTokenizer.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace xbt {

class WordTokenizer : public TextTokenizer {
public:
    static constexpr int64_t kPad = 0;
    static constexpr int64_t kUnknown = 1;
    static constexpr int64_t kStart = 2;
    static constexpr int64_t kEnd = 3;

    // Ids 0-3 are <pad>, <unk>, <start>, <end>; words follow in the given order.
    explicit WordTokenizer(const std::vector<std::string>& words);

    std::vector<int64_t> encode(const std::string& text) const override;
    std::vector<int64_t> tokenizeBatch(const std::vector<std::string>& texts, int contextLength) const override;
    std::string kind() const override { return "sample-words"; }
    std::string fingerprint() const override { return fingerprint_; }

    int64_t vocabularySize() const { return static_cast<int64_t>(words_.size()) + 4; }
    const std::vector<std::string>& words() const { return words_; }
    // Splits text the way encode() does (for tests and diagnostics).
    static std::vector<std::string> splitWords(const std::string& text);

private:
    std::vector<std::string> words_;
    std::unordered_map<std::string, int64_t> ids_;
    std::string fingerprint_;
};

}  // namespace xbt

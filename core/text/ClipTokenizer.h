#pragma once
// CLIP's byte-level BPE tokenizer, reproducing openai/CLIP simple_tokenizer.py.

#include "core/text/TextTokenizer.h"

#include <memory>
#include <string>

namespace xbt {

class ClipTokenizer : public TextTokenizer {
public:
    static constexpr int64_t kStartToken = 49406;
    static constexpr int64_t kEndToken = 49407;

    // Loads merges from a .txt or .txt.gz file; throws xbt::Error naming the file.
    explicit ClipTokenizer(const std::string& mergesPath);
    ~ClipTokenizer() override;

    std::vector<int64_t> encode(const std::string& text) const override;
    std::vector<int64_t> tokenizeBatch(const std::vector<std::string>& texts, int contextLength) const override;
    std::string kind() const override { return "clip-bpe"; }
    std::string fingerprint() const override;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace xbt

#pragma once
// Test doubles shared by tests whose models are doubles too.

#include "core/text/TextTokenizer.h"

#include <string>
#include <vector>

namespace xbt::test {

// One token per text: its length. Enough for models whose text side is a
// test double.
class LengthTokenizer : public TextTokenizer {
public:
    std::vector<int64_t> encode(const std::string& text) const override { return {static_cast<int64_t>(text.size())}; }
    std::vector<int64_t> tokenizeBatch(const std::vector<std::string>& texts, int) const override
    {
        std::vector<int64_t> out;
        for (const auto& t : texts)
            out.push_back(static_cast<int64_t>(t.size()));
        return out;
    }
    std::string kind() const override { return "test"; }
    std::string fingerprint() const override { return "test"; }
};

}  // namespace xbt::test

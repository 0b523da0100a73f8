#pragma once
// Test doubles shared by tests whose models are doubles too.

#include "core/image/PreprocessSettings.h"
#include "core/text/TextTokenizer.h"

#include <array>

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

// The mean of each channel of a preprocessed image: lets a model double give
// images distinguishable embeddings without any network.
inline std::array<float, 3> channelMeans(const PixelTensor& t)
{
    const size_t plane = static_cast<size_t>(t.height * t.width);
    std::array<float, 3> means{};
    for (size_t c = 0; c < 3; ++c) {
        double sum = 0;
        for (size_t k = 0; k < plane; ++k)
            sum += t.data[c * plane + k];
        means[c] = static_cast<float>(sum / static_cast<double>(plane));
    }
    return means;
}

}  // namespace xbt::test

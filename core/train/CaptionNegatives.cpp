#include "core/train/CaptionNegatives.h"

#include "core/sample/SampleLexicon.h"
#include "core/text/WordTokenizer.h"

#include <map>
#include <utility>
#include <vector>

namespace xbt {

namespace {

// Which attribute a single word names, and its value: swapping two words of
// one class with different values changes what the caption describes.
enum class WordClass { Colour, Shape, Size };

const std::map<std::string, std::pair<WordClass, int>>& attributeWords()
{
    static const auto table = [] {
        std::map<std::string, std::pair<WordClass, int>> t;
        auto add = [&](const Phrases& words, WordClass c, int value) {
            for (const std::string& w : words)
                if (w.find(' ') == std::string::npos)  // "medium sized" stays as it is
                    t.emplace(w, std::make_pair(c, value));
        };
        for (int i = 0; i < kColourCount; ++i)
            add(colourWords(static_cast<Colour>(i)), WordClass::Colour, i);
        for (int i = 0; i < kShapeCount; ++i) {
            add(shapeWords(static_cast<Shape>(i)), WordClass::Shape, i);
            add(shapePluralWords(static_cast<Shape>(i)), WordClass::Shape, i);
        }
        for (int i = 0; i < kSizeCount; ++i)
            add(sizeWords(static_cast<Size>(i)), WordClass::Size, i);
        return t;
    }();
    return table;
}

const std::map<std::string, std::string>& oppositeDirections()
{
    static const std::map<std::string, std::string> t = {
        {"left", "right"}, {"right", "left"},  {"above", "below"},   {"below", "above"}, {"over", "under"},
        {"under", "over"}, {"beneath", "above"}, {"top", "bottom"}, {"bottom", "top"},
    };
    return t;
}

}  // namespace

std::optional<std::string> wordOrderNegative(const std::string& caption, uint64_t seed)
{
    const std::vector<std::string> words = WordTokenizer::splitWords(caption);
    std::vector<std::vector<std::string>> candidates;
    // For each class, swap its first two words whose values differ.
    const auto swapFirstDiffering = [&](WordClass c) -> std::optional<std::vector<std::string>> {
        std::vector<size_t> at;
        for (size_t i = 0; i < words.size(); ++i)
            if (auto it = attributeWords().find(words[i]); it != attributeWords().end() && it->second.first == c)
                at.push_back(i);
        for (size_t a = 0; a < at.size(); ++a)
            for (size_t b = a + 1; b < at.size(); ++b)
                if (attributeWords().at(words[at[a]]).second != attributeWords().at(words[at[b]]).second) {
                    std::vector<std::string> swapped = words;
                    std::swap(swapped[at[a]], swapped[at[b]]);
                    return swapped;
                }
        return std::nullopt;
    };
    for (const WordClass c : {WordClass::Colour, WordClass::Shape, WordClass::Size})
        if (auto swapped = swapFirstDiffering(c))
            candidates.push_back(std::move(*swapped));
    // Turn every direction word around.
    std::vector<std::string> turned = words;
    bool anyTurned = false;
    for (std::string& w : turned)
        if (auto it = oppositeDirections().find(w); it != oppositeDirections().end()) {
            w = it->second;
            anyTurned = true;
        }
    if (anyTurned)
        candidates.push_back(std::move(turned));
    if (candidates.empty())
        return std::nullopt;
    const uint64_t pick = (seed * 0x9E3779B97F4A7C15ULL) >> 33;
    return joinCaptionWords(candidates[pick % candidates.size()]);
}

}  // namespace xbt

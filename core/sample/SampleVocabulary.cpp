#include "core/sample/SampleVocabulary.h"

#include "core/sample/SampleLexicon.h"

#include <set>

namespace xbt {

namespace {

void addWords(std::set<std::string>& words, const std::string& phrase)
{
    size_t start = 0;
    while (start <= phrase.size()) {
        size_t end = phrase.find(' ', start);
        if (end == std::string::npos)
            end = phrase.size();
        const std::string word = phrase.substr(start, end - start);
        // Template placeholders ({O}, {P}, ...) are not words.
        if (!word.empty() && word.front() != '{')
            words.insert(word);
        start = end + 1;
    }
}

void addAll(std::set<std::string>& words, const Phrases& phrases)
{
    for (const std::string& p : phrases)
        addWords(words, p);
}

}  // namespace

std::vector<std::string> sampleVocabulary()
{
    std::set<std::string> words = {"a", "an", ",", numberWord(2), numberWord(3)};
    for (int i = 0; i < kShapeCount; ++i) {
        addAll(words, shapeWords(static_cast<Shape>(i)));
        addAll(words, shapePluralWords(static_cast<Shape>(i)));
    }
    for (int i = 0; i < kColourCount; ++i)
        addAll(words, colourWords(static_cast<Colour>(i)));
    for (int i = 0; i < kSizeCount; ++i)
        addAll(words, sizeWords(static_cast<Size>(i)));
    for (int i = 0; i < kFillCount; ++i) {
        addAll(words, fillAdjectives(static_cast<Fill>(i)));
        addAll(words, fillPhrases(static_cast<Fill>(i)));
    }
    for (int i = 0; i < kLocationCount; ++i) {
        addAll(words, singleLocationPhrases(static_cast<Location>(i)));
        addAll(words, rowBandPhrases(static_cast<Location>(i)));
        addAll(words, columnBandPhrases(static_cast<Location>(i)));
    }
    for (int n = 2; n <= 3; ++n) {
        addAll(words, arrangementPhrases(Arrangement::Row, n));
        addAll(words, arrangementPhrases(Arrangement::Column, n));
    }
    addAll(words, rowPrefixPhrases());
    addAll(words, columnPrefixPhrases());
    for (const auto* templates : {&singleTemplates(), &bindingTemplates(), &horizontalRelationTemplates(),
                                  &verticalRelationTemplates(), &countTemplates()})
        for (const CaptionTemplate& t : *templates)
            addWords(words, t.text);
    return {words.begin(), words.end()};
}

}  // namespace xbt

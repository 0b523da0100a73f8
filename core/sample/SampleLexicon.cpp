#include "core/sample/SampleLexicon.h"

namespace xbt {

const Phrases& shapeWords(Shape shape)
{
    static const std::vector<Phrases> words = {
        {"circle", "disk"}, {"square", "box"}, {"triangle"}, {"star"},
        {"hexagon"},        {"diamond", "rhombus"}, {"cross"}, {"heart"},
    };
    return words[static_cast<size_t>(shape)];
}

const Phrases& shapePluralWords(Shape shape)
{
    static const std::vector<Phrases> words = {
        {"circles", "disks"}, {"squares", "boxes"}, {"triangles"}, {"stars"},
        {"hexagons"},         {"diamonds", "rhombuses"}, {"crosses"}, {"hearts"},
    };
    return words[static_cast<size_t>(shape)];
}

const Phrases& colourWords(Colour colour)
{
    static const std::vector<Phrases> words = {
        {"red", "scarlet"}, {"orange"}, {"yellow"}, {"green"}, {"cyan", "turquoise"},
        {"blue"},           {"purple", "violet"}, {"pink"}, {"brown"}, {"gray", "grey"},
    };
    return words[static_cast<size_t>(colour)];
}

const Phrases& sizeWords(Size size)
{
    static const std::vector<Phrases> words = {
        {"small", "little", "tiny"},
        {"medium", "medium sized", "mid sized"},
        {"large", "big", "huge"},
    };
    return words[static_cast<size_t>(size)];
}

const Phrases& fillAdjectives(Fill fill)
{
    static const std::vector<Phrases> words = {{"solid", "filled"}, {"striped", "stripy"}, {"outlined", "hollow"}};
    return words[static_cast<size_t>(fill)];
}

const Phrases& fillPhrases(Fill fill)
{
    static const std::vector<Phrases> words = {
        {"with a solid fill", "in solid color"},
        {"with stripes", "with a striped fill"},
        {"in outline", "drawn in outline"},
    };
    return words[static_cast<size_t>(fill)];
}

const std::string& numberWord(int count)
{
    static const std::vector<std::string> words = {"two", "three"};
    return words.at(static_cast<size_t>(count - 2));
}

const Phrases& singleLocationPhrases(Location location)
{
    static const std::vector<Phrases> phrases = {
        {"in the top left corner", "in the upper left corner", "at the top left"},
        {"at the top", "near the top edge", "at the top center"},
        {"in the top right corner", "in the upper right corner", "at the top right"},
        {"on the left", "on the left side", "at the left edge"},
        {"in the center", "in the middle", "in the centre"},
        {"on the right", "on the right side", "at the right edge"},
        {"in the bottom left corner", "in the lower left corner", "at the bottom left"},
        {"at the bottom", "near the bottom edge", "at the bottom center"},
        {"in the bottom right corner", "in the lower right corner", "at the bottom right"},
    };
    return phrases.at(static_cast<size_t>(location));
}

const Phrases& rowBandPhrases(Location band)
{
    static const Phrases top = {"at the top", "along the top", "near the top edge"};
    static const Phrases middle = {"across the middle", "through the center", "in the middle"};
    static const Phrases bottom = {"at the bottom", "along the bottom", "near the bottom edge"};
    return band == Location::Top ? top : band == Location::Bottom ? bottom : middle;
}

const Phrases& columnBandPhrases(Location band)
{
    static const Phrases left = {"on the left", "down the left side", "along the left edge"};
    static const Phrases middle = {"down the middle", "in the center", "in the middle"};
    static const Phrases right = {"on the right", "down the right side", "along the right edge"};
    return band == Location::Left ? left : band == Location::Right ? right : middle;
}

const Phrases& arrangementPhrases(Arrangement arrangement, int count)
{
    static const Phrases twoRow = {"side by side", "next to each other"};
    static const Phrases twoColumn = {"one above the other", "stacked vertically"};
    static const Phrases threeRow = {"in a row", "in a horizontal line"};
    static const Phrases threeColumn = {"in a column", "in a vertical line", "stacked vertically"};
    if (arrangement == Arrangement::Row)
        return count == 2 ? twoRow : threeRow;
    return count == 2 ? twoColumn : threeColumn;
}

const std::vector<CaptionTemplate>& singleTemplates()
{
    static const std::vector<CaptionTemplate> t = {
        {"{O} {P}"},
        {"{P} , {O}"},
        {"there is {O} {P}"},
        {"{O} , placed {P}"},
        {"{O} sits {P}"},
        {"{P} there is {O}"},
        {"a picture of {O} {P}"},
        {"{O} is {P}"},
    };
    return t;
}

const std::vector<CaptionTemplate>& bindingTemplates()
{
    static const std::vector<CaptionTemplate> t = {
        {"{X} and {Y}"},
        {"{X} with {Y}", false},
        {"{X} next to {Y}"},
        {"{X} beside {Y}"},
        {"there is {X} and {Y}"},
        {"{X} alongside {Y}"},
        {"two shapes , {X} and {Y}"},
        {"a picture of {X} and {Y}"},
        {"{X} together with {Y}", false},
        {"{X} sits next to {Y}"},
    };
    return t;
}

const std::vector<CaptionTemplate>& horizontalRelationTemplates()
{
    static const std::vector<CaptionTemplate> t = {
        {"{L} to the left of {R}"},
        {"{L} left of {R}"},
        {"{L} on the left of {R}"},
        {"{R} to the right of {L}"},
        {"{R} right of {L}"},
        {"{R} on the right of {L}"},
        {"{R} , with {L} on its left", false},
        {"{L} , with {R} on its right", false},
        {"there is {L} and , to its right , {R}"},
        {"there is {R} and , to its left , {L}"},
        {"{L} sits to the left of {R}"},
        {"{R} is to the right of {L}"},
    };
    return t;
}

const std::vector<CaptionTemplate>& verticalRelationTemplates()
{
    static const std::vector<CaptionTemplate> t = {
        {"{T} above {B}"},
        {"{T} over {B}"},
        {"{B} below {T}"},
        {"{B} under {T}"},
        {"{B} beneath {T}"},
        {"{T} , with {B} below it", false},
        {"{B} , with {T} above it", false},
        {"there is {T} and , below it , {B}"},
        {"there is {B} and , above it , {T}"},
        {"{T} sits above {B}"},
        {"{B} is below {T}"},
    };
    return t;
}

const std::vector<CaptionTemplate>& countTemplates()
{
    static const std::vector<CaptionTemplate> t = {
        {"{C} {A} {P}"},
        {"{P} , {C} {A}"},
        {"there are {C} {A} {P}"},
        {"{C} , {A} , {P}"},
        {"{C} {P} , {A}"},
        {"{C} arranged {A} {P}"},
        {"{P} there are {C} {A}"},
        {"a row of {C} {P}", true, 3, Arrangement::Row},
        {"a column of {C} {P}", true, 3, Arrangement::Column},
    };
    return t;
}

const std::vector<RelationCue>& relationCues()
{
    static const std::vector<RelationCue> cues = {
        {"to the left of", CueDirection::Left, false},  {"left of", CueDirection::Left, false},
        {"on the left of", CueDirection::Left, false},  {"to the right of", CueDirection::Right, false},
        {"right of", CueDirection::Right, false},       {"on the right of", CueDirection::Right, false},
        {"above", CueDirection::Above, false},          {"over", CueDirection::Above, false},
        {"below", CueDirection::Below, false},          {"under", CueDirection::Below, false},
        {"beneath", CueDirection::Below, false},        {"on its left", CueDirection::Left, true},
        {"to its left", CueDirection::Left, true},      {"on its right", CueDirection::Right, true},
        {"to its right", CueDirection::Right, true},    {"above it", CueDirection::Above, true},
        {"below it", CueDirection::Below, true},
    };
    return cues;
}

const Phrases& rowPrefixPhrases()
{
    static const Phrases p = {"a row of"};
    return p;
}

const Phrases& columnPrefixPhrases()
{
    static const Phrases p = {"a column of"};
    return p;
}

std::string joinCaptionWords(const std::vector<std::string>& words)
{
    std::string text;
    for (const std::string& w : words) {
        if (!text.empty() && w != ",")
            text += ' ';
        text += w;
    }
    return text;
}

}  // namespace xbt

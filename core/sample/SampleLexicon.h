#pragma once
// Every word and phrase the sample world's captions use: synonyms for each
// attribute value, location and arrangement phrases, the caption templates,
// and the relation cues the parser understands. The caption writer, the
// parser and the vocabulary all read these tables, so a new synonym is added
// in one place.
//
// Phrases are lower-case words separated by single spaces; the only
// punctuation is the comma, written as its own token in templates.

#include "core/sample/SceneDescription.h"

#include <string>
#include <vector>

namespace xbt {

using Phrases = std::vector<std::string>;

const Phrases& shapeWords(Shape shape);
// Parallel to shapeWords(): the plural of each synonym.
const Phrases& shapePluralWords(Shape shape);
const Phrases& colourWords(Colour colour);
const Phrases& sizeWords(Size size);
// Before the noun: "a striped red circle".
const Phrases& fillAdjectives(Fill fill);
// After the noun: "a red circle with stripes".
const Phrases& fillPhrases(Fill fill);
// "two" or "three" (counts of 2 and 3).
const std::string& numberWord(int count);

// Where a single object is: "in the top left corner".
const Phrases& singleLocationPhrases(Location location);
// Where a count scene's row (Top, Center, Bottom) or column (Left, Center, Right) is.
const Phrases& rowBandPhrases(Location band);
const Phrases& columnBandPhrases(Location band);
// How two or three objects are arranged: "side by side", "in a column".
const Phrases& arrangementPhrases(Arrangement arrangement, int count);

// A caption template. Placeholders: {O} the object and {P} its location
// (single); {X} {Y} the two objects (binding); {L} {R} the left and right
// object, {T} {B} the top and bottom object (relation); {C} the counted
// objects with their number, {A} their arrangement, {P} their band (count).
struct CaptionTemplate {
    std::string text;
    // False where a post-noun fill phrase would read badly ("a circle with
    // stripes with a square"): the writer then puts the fill before the noun.
    bool allowsFillPhrase = true;
    // Count templates only: 0 for any count, else the count it is written for.
    int onlyCount = 0;
    Arrangement onlyArrangement = Arrangement::None;
};

const std::vector<CaptionTemplate>& singleTemplates();
const std::vector<CaptionTemplate>& bindingTemplates();
const std::vector<CaptionTemplate>& horizontalRelationTemplates();
const std::vector<CaptionTemplate>& verticalRelationTemplates();
const std::vector<CaptionTemplate>& countTemplates();

// Words that state a direction between two objects. A cue whose phrase refers
// back with "its"/"it" ("on its left", "below it") describes the object named
// after the antecedent; any other cue describes the object named before it.
enum class CueDirection { Left, Right, Above, Below };
struct RelationCue {
    std::string phrase;
    CueDirection direction;
    bool refersBack;
};
const std::vector<RelationCue>& relationCues();

// Words back into a caption: single spaces, no space before a comma.
std::string joinCaptionWords(const std::vector<std::string>& words);

// Arrangement phrases that start a count caption: "a row of three ...".
const Phrases& rowPrefixPhrases();
const Phrases& columnPrefixPhrases();

}  // namespace xbt

#include "core/sample/CaptionParser.h"

#include "core/sample/CaptionWriter.h"
#include "core/sample/SampleLexicon.h"

#include <algorithm>
#include <map>
#include <optional>

namespace xbt {

namespace {

enum class UnitKind {
    Number, Shape, Colour, Size, FillAdjective, FillPhrase, Location, Arrangement, Cue, Comma, And, Other
};

// A word or multi-word expression with what it means.
struct Unit {
    UnitKind kind = UnitKind::Other;
    int value = 0;       // the enum value, number, or cue index
    bool plural = false; // shape nouns
    std::string text;
};

struct Meaning {
    UnitKind kind;
    int value;
    bool plural;
};

// Every known expression, keyed by its words; the tokeniser takes the longest
// match, so "on the left of" (a cue) wins over "on the left" (a location).
class Lexicon {
public:
    Lexicon()
    {
        for (int i = 0; i < kShapeCount; ++i) {
            for (const std::string& w : shapeWords(static_cast<Shape>(i)))
                add(w, {UnitKind::Shape, i, false});
            for (const std::string& w : shapePluralWords(static_cast<Shape>(i)))
                add(w, {UnitKind::Shape, i, true});
        }
        for (int i = 0; i < kColourCount; ++i)
            for (const std::string& w : colourWords(static_cast<Colour>(i)))
                add(w, {UnitKind::Colour, i, false});
        for (int i = 0; i < kSizeCount; ++i)
            for (const std::string& w : sizeWords(static_cast<Size>(i)))
                add(w, {UnitKind::Size, i, false});
        for (int i = 0; i < kFillCount; ++i) {
            for (const std::string& w : fillAdjectives(static_cast<Fill>(i)))
                add(w, {UnitKind::FillAdjective, i, false});
            for (const std::string& w : fillPhrases(static_cast<Fill>(i)))
                add(w, {UnitKind::FillPhrase, i, false});
        }
        for (int i = 0; i < kLocationCount; ++i) {
            const Location l = static_cast<Location>(i);
            for (const std::string& w : singleLocationPhrases(l))
                add(w, {UnitKind::Location, i, false});
            for (const std::string& w : rowBandPhrases(l))
                add(w, {UnitKind::Location, static_cast<int>(rowBand(l)), false});
            for (const std::string& w : columnBandPhrases(l))
                add(w, {UnitKind::Location, static_cast<int>(columnBand(l)), false});
        }
        for (int n = 2; n <= 3; ++n) {
            for (const std::string& w : arrangementPhrases(Arrangement::Row, n))
                add(w, {UnitKind::Arrangement, static_cast<int>(Arrangement::Row), false});
            for (const std::string& w : arrangementPhrases(Arrangement::Column, n))
                add(w, {UnitKind::Arrangement, static_cast<int>(Arrangement::Column), false});
        }
        for (const std::string& w : rowPrefixPhrases())
            add(w, {UnitKind::Arrangement, static_cast<int>(Arrangement::Row), false});
        for (const std::string& w : columnPrefixPhrases())
            add(w, {UnitKind::Arrangement, static_cast<int>(Arrangement::Column), false});
        for (size_t i = 0; i < relationCues().size(); ++i)
            add(relationCues()[i].phrase, {UnitKind::Cue, static_cast<int>(i), false});
        add("a", {UnitKind::Number, 1, false});
        add("an", {UnitKind::Number, 1, false});
        add(numberWord(2), {UnitKind::Number, 2, false});
        add(numberWord(3), {UnitKind::Number, 3, false});
        add(",", {UnitKind::Comma, 0, false});
        add("and", {UnitKind::And, 0, false});
    }

    std::vector<Unit> units(const std::vector<std::string>& tokens) const
    {
        std::vector<Unit> out;
        size_t i = 0;
        while (i < tokens.size()) {
            std::string phrase;
            std::optional<Meaning> best;
            size_t bestLength = 1;
            for (size_t n = 1; n <= maxWords_ && i + n <= tokens.size(); ++n) {
                phrase += (n > 1 ? " " : "") + tokens[i + n - 1];
                const auto it = table_.find(phrase);
                if (it != table_.end()) {
                    best = it->second;
                    bestLength = n;
                }
            }
            Unit u;
            for (size_t n = 0; n < bestLength; ++n)
                u.text += (n ? " " : "") + tokens[i + n];
            if (best) {
                u.kind = best->kind;
                u.value = best->value;
                u.plural = best->plural;
            }
            out.push_back(std::move(u));
            i += bestLength;
        }
        return out;
    }

private:
    // Row bands name Top/Center/Bottom, column bands Left/Center/Right; the
    // phrase tables are indexed by the band's location.
    static Location rowBand(Location l) { return l == Location::Top || l == Location::Bottom ? l : Location::Center; }
    static Location columnBand(Location l)
    {
        return l == Location::Left || l == Location::Right ? l : Location::Center;
    }

    void add(const std::string& phrase, Meaning m)
    {
        table_.emplace(phrase, m);
        size_t words = 1;
        for (char c : phrase)
            words += c == ' ';
        maxWords_ = std::max(maxWords_, words);
    }

    std::map<std::string, Meaning> table_;
    size_t maxWords_ = 1;
};

struct FoundObject {
    ObjectLook look;
    int count = 1;
    size_t first = 0, last = 0;  // unit span, inclusive
};

ParsedCaption failure(const std::string& caption, const std::string& why)
{
    ParsedCaption p;
    p.error = "'" + caption + "': " + why;
    return p;
}

}  // namespace

ParsedCaption parseSampleCaption(const std::string& caption)
{
    static const Lexicon lexicon;
    const std::vector<Unit> units = lexicon.units(captionTokens(caption));

    // Objects: a noun, the attributes before it back to its determiner or
    // number, and a fill phrase or ", size and fill" after it.
    std::vector<FoundObject> objects;
    for (size_t i = 0; i < units.size(); ++i) {
        if (units[i].kind != UnitKind::Shape)
            continue;
        FoundObject o;
        o.look.shape = static_cast<Shape>(units[i].value);
        bool hasColour = false, hasSize = false, hasFill = false, hasNumber = false;
        auto take = [&](const Unit& u) -> bool {
            bool* seen = u.kind == UnitKind::Colour          ? &hasColour
                         : u.kind == UnitKind::Size          ? &hasSize
                         : u.kind == UnitKind::FillAdjective ? &hasFill
                         : u.kind == UnitKind::FillPhrase    ? &hasFill
                                                             : nullptr;
            if (!seen || *seen)
                return false;
            *seen = true;
            if (u.kind == UnitKind::Colour)
                o.look.colour = static_cast<Colour>(u.value);
            else if (u.kind == UnitKind::Size)
                o.look.size = static_cast<Size>(u.value);
            else
                o.look.fill = static_cast<Fill>(u.value);
            return true;
        };
        size_t j = i;
        while (j > 0) {
            const Unit& u = units[j - 1];
            if (u.kind == UnitKind::Number) {
                o.count = u.value;
                hasNumber = true;
                --j;
                break;
            }
            if (!take(u))
                break;
            --j;
        }
        o.first = j;
        o.last = i;
        if (i + 1 < units.size() && units[i + 1].kind == UnitKind::FillPhrase) {
            take(units[i + 1]);
            o.last = i + 1;
        } else if (i + 4 < units.size() && units[i + 1].kind == UnitKind::Comma && units[i + 2].kind == UnitKind::Size
                   && units[i + 3].kind == UnitKind::And && units[i + 4].kind == UnitKind::FillAdjective) {
            take(units[i + 2]);
            take(units[i + 4]);
            o.last = i + 4;
        }
        if (!hasNumber)
            return failure(caption, "no determiner or number before '" + units[i].text + "'");
        if (!hasColour || !hasSize || !hasFill)
            return failure(caption, "'" + units[i].text + "' lacks a colour, size or fill");
        if ((o.count > 1) != units[i].plural)
            return failure(caption, "number and noun disagree at '" + units[i].text + "'");
        objects.push_back(o);
    }

    // What else the caption states, outside the object phrases.
    std::vector<size_t> cues;
    std::optional<Location> location;
    std::optional<Arrangement> arrangement;
    for (size_t i = 0; i < units.size(); ++i) {
        bool inside = false;
        for (const FoundObject& o : objects)
            inside = inside || (i >= o.first && i <= o.last);
        if (inside)
            continue;
        const Unit& u = units[i];
        if (u.kind == UnitKind::Cue)
            cues.push_back(i);
        else if (u.kind == UnitKind::Location) {
            if (location)
                return failure(caption, "two locations");
            location = static_cast<Location>(u.value);
        } else if (u.kind == UnitKind::Arrangement) {
            if (arrangement)
                return failure(caption, "two arrangements");
            arrangement = static_cast<Arrangement>(u.value);
        } else if (u.kind != UnitKind::Other && u.kind != UnitKind::Comma && u.kind != UnitKind::And
                   && u.kind != UnitKind::Number) {
            return failure(caption, "'" + u.text + "' belongs to no object");
        }
    }

    ParsedCaption parsed;
    SceneDescription& d = parsed.description;
    if (objects.size() == 1) {
        d.objects = {objects[0].look};
        d.count = objects[0].count;
        if (!cues.empty())
            return failure(caption, "a direction with only one object");
        if (!location)
            return failure(caption, "no location");
        d.location = *location;
        if (d.count == 1) {
            d.category = Category::Single;
            if (arrangement)
                return failure(caption, "an arrangement of one object");
        } else {
            d.category = Category::Count;
            if (!arrangement)
                return failure(caption, "counted objects without an arrangement");
            d.arrangement = *arrangement;
        }
    } else if (objects.size() == 2) {
        if (objects[0].count != 1 || objects[1].count != 1)
            return failure(caption, "two object phrases with a number");
        if (location || arrangement)
            return failure(caption, "a location or arrangement for two objects");
        if (cues.empty()) {
            d.category = Category::Binding;
            d.objects = {objects[0].look, objects[1].look};
        } else {
            if (cues.size() > 1)
                return failure(caption, "more than one direction");
            const RelationCue& cue = relationCues()[static_cast<size_t>(units[cues[0]].value)];
            // "X left of Y": the cue sits between the objects and describes the
            // first. "Y, with X on its left" / "Y and, to its right, X": it refers
            // back to the first object and describes the second.
            const bool between = objects[0].last < cues[0] && cues[0] < objects[1].first;
            const bool after = objects[1].last < cues[0];
            if (cue.refersBack ? !(between || after) : !between)
                return failure(caption, "a direction cue in an unexpected place");
            const bool secondIsSubject = cue.refersBack;
            const ObjectLook subject = secondIsSubject ? objects[1].look : objects[0].look;
            const ObjectLook reference = secondIsSubject ? objects[0].look : objects[1].look;
            d.category = Category::Relation;
            switch (cue.direction) {
            case CueDirection::Left: d.relation = Relation::LeftOf; d.objects = {subject, reference}; break;
            case CueDirection::Right: d.relation = Relation::LeftOf; d.objects = {reference, subject}; break;
            case CueDirection::Above: d.relation = Relation::Above; d.objects = {subject, reference}; break;
            case CueDirection::Below: d.relation = Relation::Above; d.objects = {reference, subject}; break;
            }
        }
    } else {
        return failure(caption, std::to_string(objects.size()) + " object phrases");
    }
    parsed.ok = true;
    return parsed;
}

}  // namespace xbt

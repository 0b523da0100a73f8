#include "core/sample/CaptionWriter.h"

#include "core/sample/SampleLexicon.h"
#include "core/sample/SampleRandom.h"

#include <algorithm>

namespace xbt {

namespace {

// How an object phrase is worded, chosen once per caption.
enum class PhraseStyle {
    FillBefore,  // "a small striped red circle"
    FillAfter,   // "a small red circle with stripes"
    Appended,    // "a red circle, small and striped"
};

struct WordChoice {
    PhraseStyle style = PhraseStyle::FillBefore;
    uint32_t shape = 0, colour = 0, size = 0, fill = 0, location = 0, arrangement = 0;
};

const std::string& choose(const Phrases& options, uint32_t index)
{
    return options[index % options.size()];
}

void appendWords(std::vector<std::string>& out, const std::string& phrase)
{
    size_t start = 0;
    while (start < phrase.size()) {
        size_t end = phrase.find(' ', start);
        if (end == std::string::npos)
            end = phrase.size();
        if (end > start)
            out.push_back(phrase.substr(start, end - start));
        start = end + 1;
    }
}

// The object phrase with its determiner ("a" or the number word). `appended`
// tells the caller that the phrase ends in ", small and striped", which needs a
// closing comma when more words follow.
std::vector<std::string> objectPhrase(const ObjectLook& o, int number, const WordChoice& w, bool& appended)
{
    std::vector<std::string> t;
    appendWords(t, number == 1 ? std::string("a") : numberWord(number));
    const std::string& size = choose(sizeWords(o.size), w.size);
    const std::string& colour = choose(colourWords(o.colour), w.colour);
    const std::string& noun =
        choose(number == 1 ? shapeWords(o.shape) : shapePluralWords(o.shape), w.shape);
    appended = w.style == PhraseStyle::Appended;
    switch (w.style) {
    case PhraseStyle::FillBefore:
        appendWords(t, size + " " + choose(fillAdjectives(o.fill), w.fill) + " " + colour + " " + noun);
        break;
    case PhraseStyle::FillAfter:
        appendWords(t, size + " " + colour + " " + noun + " " + choose(fillPhrases(o.fill), w.fill));
        break;
    case PhraseStyle::Appended:
        appendWords(t, colour + " " + noun + " , " + size + " and " + choose(fillAdjectives(o.fill), w.fill));
        break;
    }
    return t;
}

const std::vector<CaptionTemplate>& templatesFor(const SceneDescription& s)
{
    switch (s.category) {
    case Category::Single: return singleTemplates();
    case Category::Binding: return bindingTemplates();
    case Category::Relation:
        return s.relation == Relation::LeftOf ? horizontalRelationTemplates() : verticalRelationTemplates();
    case Category::Count: return countTemplates();
    }
    return singleTemplates();
}

std::vector<const CaptionTemplate*> applicableTemplates(const SceneDescription& s)
{
    std::vector<const CaptionTemplate*> out;
    for (const CaptionTemplate& t : templatesFor(s))
        if ((t.onlyCount == 0 || t.onlyCount == s.count)
            && (t.onlyArrangement == Arrangement::None || t.onlyArrangement == s.arrangement))
            out.push_back(&t);
    return out;
}

std::string writeOne(const SceneDescription& s, const CaptionTemplate& tmpl, const WordChoice& w)
{
    std::vector<std::string> templateTokens;
    appendWords(templateTokens, tmpl.text);
    std::vector<std::string> out;
    bool pendingComma = false;  // an appended-style phrase just ended
    for (const std::string& token : templateTokens) {
        std::vector<std::string> piece;
        bool appended = false;
        if (token == "{O}" || token == "{X}" || token == "{L}" || token == "{T}")
            piece = objectPhrase(s.objects[0], 1, w, appended);
        else if (token == "{Y}" || token == "{R}" || token == "{B}")
            piece = objectPhrase(s.objects[1], 1, w, appended);
        else if (token == "{C}")
            piece = objectPhrase(s.objects[0], s.count, w, appended);
        else if (token == "{A}")
            appendWords(piece, choose(arrangementPhrases(s.arrangement, s.count), w.arrangement));
        else if (token == "{P}") {
            const Phrases& options = s.category == Category::Single     ? singleLocationPhrases(s.location)
                                     : s.arrangement == Arrangement::Row ? rowBandPhrases(s.location)
                                                                         : columnBandPhrases(s.location);
            appendWords(piece, choose(options, w.location));
        } else
            piece = {token};
        if (pendingComma && piece.front() != ",")
            out.push_back(",");
        pendingComma = appended;
        out.insert(out.end(), piece.begin(), piece.end());
    }
    // "a" before a vowel sound: every word the lexicon starts with a vowel letter is one.
    for (size_t i = 0; i + 1 < out.size(); ++i)
        if (out[i] == "a" && std::string("aeiou").find(out[i + 1][0]) != std::string::npos)
            out[i] = "an";
    return joinCaptionWords(out);
}

}  // namespace

std::vector<std::string> writeCaptions(const SceneDescription& scene, uint64_t captionSeed, int count)
{
    SampleRandom rng(captionSeed);
    const std::vector<const CaptionTemplate*> templates = applicableTemplates(scene);
    std::vector<std::string> captions;
    for (int attempt = 0; attempt < count * 20 && static_cast<int>(captions.size()) < count; ++attempt) {
        const CaptionTemplate& tmpl = *templates[rng.below(static_cast<uint32_t>(templates.size()))];
        WordChoice w;
        w.style = static_cast<PhraseStyle>(rng.below(3));
        if (w.style == PhraseStyle::FillAfter && !tmpl.allowsFillPhrase)
            w.style = PhraseStyle::FillBefore;
        w.shape = rng.below(1u << 16);
        w.colour = rng.below(1u << 16);
        w.size = rng.below(1u << 16);
        w.fill = rng.below(1u << 16);
        w.location = rng.below(1u << 16);
        w.arrangement = rng.below(1u << 16);
        std::string caption = writeOne(scene, tmpl, w);
        if (std::find(captions.begin(), captions.end(), caption) == captions.end())
            captions.push_back(std::move(caption));
    }
    return captions;
}

std::vector<std::string> captionTokens(const std::string& caption)
{
    std::vector<std::string> tokens;
    std::string word;
    for (char c : caption) {
        if (c == ' ' || c == ',') {
            if (!word.empty())
                tokens.push_back(word);
            word.clear();
            if (c == ',')
                tokens.push_back(",");
        } else {
            word += c;
        }
    }
    if (!word.empty())
        tokens.push_back(word);
    return tokens;
}

}  // namespace xbt

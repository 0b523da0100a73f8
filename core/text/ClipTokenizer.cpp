#include "core/text/ClipTokenizer.h"

#include "core/text/HtmlEntities.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/Sha256.h"

#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <zlib.h>

#include <array>
#include <cctype>
#include <mutex>
#include <unordered_map>

namespace xbt {

namespace {

// simple_tokenizer.py keeps merges[1 : 49152 - 256 - 2 + 1]: the first line is a
// version header, and only this many rules made it into CLIP's vocabulary.
constexpr size_t kMergeCount = 49152 - 256 - 2;
// The reference's cache is unbounded; a long-running process must not grow forever.
constexpr size_t kCacheLimit = 100000;

const std::string kStartText = "<|startoftext|>";
const std::string kEndText = "<|endoftext|>";

// GPT-2's bytes_to_unicode: printable bytes stand for themselves, the rest are
// shifted past U+00FF so that no BPE symbol contains whitespace or controls.
// Index = byte; the vector gives the vocabulary order, which follows the
// printable ranges first rather than byte order.
struct ByteAlphabet {
    std::array<std::string, 256> symbol;
    std::vector<uint8_t> vocabularyOrder;
};

void appendUtf8(std::string& out, char32_t c)
{
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
        out.push_back(static_cast<char>(0xc0 | (c >> 6)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
    } else if (c < 0x10000) {
        out.push_back(static_cast<char>(0xe0 | (c >> 12)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
    } else {
        out.push_back(static_cast<char>(0xf0 | (c >> 18)));
        out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (c & 0x3f)));
    }
}

ByteAlphabet makeByteAlphabet()
{
    ByteAlphabet a;
    std::array<bool, 256> printable{};
    for (int b = 0; b < 256; ++b) {
        printable[b] = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
        if (printable[b]) {
            appendUtf8(a.symbol[b], static_cast<char32_t>(b));
            a.vocabularyOrder.push_back(static_cast<uint8_t>(b));
        }
    }
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
        if (!printable[b]) {
            appendUtf8(a.symbol[b], next++);
            a.vocabularyOrder.push_back(static_cast<uint8_t>(b));
        }
    }
    return a;
}

const ByteAlphabet& byteAlphabet()
{
    static const ByteAlphabet alphabet = makeByteAlphabet();
    return alphabet;
}

std::string readMaybeGzipped(const std::string& path)
{
    std::string why;
    if (openRegularFile(path, why).get() < 0)
        throw Error("CLIP merges file '" + path + "' " + why + " (give the merges file itself: "
                    "bpe_simple_vocab_16e6.txt.gz)");
    // gzread passes plain files through unchanged, so .txt and .txt.gz share this path.
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f)
        throw Error("cannot open CLIP merges file '" + path + "'");
    std::string content;
    char buffer[1 << 16];
    for (;;) {
        const int n = gzread(f, buffer, sizeof buffer);
        if (n < 0) {
            int code = 0;
            const std::string why = gzerror(f, &code);
            gzclose(f);
            throw Error("cannot read CLIP merges file '" + path + "': " + why);
        }
        if (n == 0)
            break;
        content.append(buffer, static_cast<size_t>(n));
    }
    // A truncated .gz only shows up here.
    if (gzclose(f) != Z_OK)
        throw Error("CLIP merges file '" + path + "' is truncated or corrupt");
    return content;
}

// --- Text cleanup, as simple_tokenizer.py's basic_clean + whitespace_clean. ---

std::u32string decodeUtf8(const std::string& text)
{
    // Python receives str, so undecodable bytes cannot reach it; ICU turns them
    // into U+FFFD, the closest equivalent of decoding with errors="replace".
    const icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
    std::u32string out;
    out.reserve(static_cast<size_t>(u.length()));
    for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1))
        out.push_back(static_cast<char32_t>(u.char32At(i)));
    return out;
}

// Python's str.isspace(), which str.strip() uses.
bool isPythonSpace(char32_t c)
{
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

// \s of the `regex` module the reference imports: Unicode White_Space, which
// unlike str.isspace() leaves out the separators U+001C..U+001F.
bool isRegexSpace(char32_t c) { return isPythonSpace(c) && !(c >= 0x1c && c <= 0x1f); }

std::u32string strip(const std::u32string& s)
{
    size_t begin = 0;
    size_t end = s.size();
    while (begin < end && isPythonSpace(s[begin]))
        ++begin;
    while (end > begin && isPythonSpace(s[end - 1]))
        --end;
    return s.substr(begin, end - begin);
}

std::u32string collapseWhitespace(const std::u32string& s)
{
    std::u32string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        if (isRegexSpace(s[i])) {
            out.push_back(U' ');
            while (i < s.size() && isRegexSpace(s[i]))
                ++i;
        } else {
            out.push_back(s[i++]);
        }
    }
    return out;
}

// Python's str.lower() is full Unicode lowercasing without locale tailoring
// (final sigma included), which is what ICU's root locale gives.
std::u32string lower(const std::u32string& s)
{
    icu::UnicodeString u = icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(s.data()), static_cast<int32_t>(s.size()));
    u.toLower(icu::Locale::getRoot());
    std::u32string out;
    out.reserve(static_cast<size_t>(u.length()));
    for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1))
        out.push_back(static_cast<char32_t>(u.char32At(i)));
    return out;
}

// ftfy.fix_text, which the reference runs first, is deliberately not
// reproduced: the reference ids in tokenizer_cases.jsonl keep curly quotes
// (“ -> 728 506) and the 'ﬁ' ligature (171 105 223), which ftfy would have
// turned into '"' and "fi", so the ids CLIP users compare against were made
// without it. Without ftfy there is no NFC step either; texts pass as given.
std::u32string cleanText(const std::string& text)
{
    std::u32string s = htmlUnescape(htmlUnescape(decodeUtf8(text)));
    s = strip(collapseWhitespace(strip(s)));
    return lower(s);
}

// --- Pre-tokenisation: the reference pattern, matched by hand. ---
//   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
// compiled with IGNORECASE; alternatives are tried in order at each position
// (first match wins, no longest-match), and characters none of them match are skipped.
// Character classes come from ICU (Unicode 15 with Debian 12's ICU 72); code
// points assigned only in later Unicode versions, which the `regex` module may
// know, can split differently. Every character assigned up to Unicode 15 agrees.

bool isLetter(char32_t c)
{
    switch (u_charType(static_cast<UChar32>(c))) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
        return true;
    default:
        return false;
    }
}

bool isNumber(char32_t c)
{
    switch (u_charType(static_cast<UChar32>(c))) {
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
        return true;
    default:
        return false;
    }
}

bool isLetterOrNumber(char32_t c) { return isLetter(c) || isNumber(c); }

// Under IGNORECASE the `regex` module excludes a character from the negated class
// when any of its case variants is in \p{L} or \p{N}, while [\p{L}] itself only
// takes real letters: U+0345 (combining ypogegrammeni, upper case Ι) is matched by
// no alternative at all and disappears.
bool isPunctuationRun(char32_t c)
{
    if (isRegexSpace(c) || isLetterOrNumber(c))
        return false;
    const auto u = static_cast<UChar32>(c);
    for (UChar32 variant : {u_tolower(u), u_toupper(u), u_totitle(u), u_foldCase(u, U_FOLD_CASE_DEFAULT)})
        if (isLetterOrNumber(static_cast<char32_t>(variant)))
            return false;
    return true;
}

// Case-insensitive match of an ASCII literal at text[pos]; simple case folding
// is what the `regex` module uses, so "'ſ" matches 's like "'S" does.
bool matchesLiteral(const std::u32string& text, size_t pos, const char* literal, size_t& length)
{
    size_t i = 0;
    for (; literal[i]; ++i) {
        if (pos + i >= text.size())
            return false;
        const auto folded = static_cast<char32_t>(u_foldCase(static_cast<UChar32>(text[pos + i]), U_FOLD_CASE_DEFAULT));
        if (folded != static_cast<unsigned char>(literal[i]))
            return false;
    }
    length = i;
    return true;
}

std::vector<std::u32string> splitWords(const std::u32string& text)
{
    static const char* const kLiterals[] = {"<|startoftext|>", "<|endoftext|>", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};
    std::vector<std::u32string> words;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t length = 0;
        for (const char* literal : kLiterals)
            if (matchesLiteral(text, pos, literal, length))
                break;
        if (length == 0) {
            const char32_t c = text[pos];
            if (isLetter(c)) {
                while (pos + length < text.size() && isLetter(text[pos + length]))
                    ++length;
            } else if (isNumber(c)) {
                length = 1;
            } else if (isPunctuationRun(c)) {
                while (pos + length < text.size() && isPunctuationRun(text[pos + length]))
                    ++length;
            }
        }
        if (length == 0) {
            ++pos;
            continue;
        }
        words.push_back(text.substr(pos, length));
        pos += length;
    }
    return words;
}

}  // namespace

struct ClipTokenizer::Impl {
    // Merge rank keyed by "first second", the rule's own line.
    std::unordered_map<std::string, int> ranks;
    std::unordered_map<std::string, int64_t> encoder;
    std::string fingerprint;

    mutable std::mutex cacheMutex;
    mutable std::unordered_map<std::string, std::vector<int64_t>> cache;

    std::vector<int64_t> bpe(const std::string& bytes) const;
    std::vector<int64_t> cachedBpe(const std::string& bytes) const;
};

std::vector<int64_t> ClipTokenizer::Impl::bpe(const std::string& bytes) const
{
    // The reference seeds its cache with the two markers, so they keep their ids
    // when they appear in a caption instead of being split into characters.
    if (bytes == kStartText)
        return {kStartToken};
    if (bytes == kEndText)
        return {kEndToken};
    const ByteAlphabet& alphabet = byteAlphabet();
    std::vector<std::string> word;
    word.reserve(bytes.size());
    for (unsigned char b : bytes)
        word.push_back(alphabet.symbol[b]);
    if (word.empty())
        return {};
    word.back() += "</w>";

    std::string key;
    while (word.size() > 1) {
        int bestRank = -1;
        size_t best = 0;
        for (size_t i = 0; i + 1 < word.size(); ++i) {
            key.assign(word[i]).append(" ").append(word[i + 1]);
            const auto it = ranks.find(key);
            if (it != ranks.end() && (bestRank < 0 || it->second < bestRank)) {
                bestRank = it->second;
                best = i;
            }
        }
        if (bestRank < 0)
            break;
        // Copied: the loop below moves word's symbols out while still comparing with these.
        const std::string first = word[best];
        const std::string second = word[best + 1];
        std::vector<std::string> merged;
        merged.reserve(word.size());
        for (size_t i = 0; i < word.size();) {
            if (i + 1 < word.size() && word[i] == first && word[i + 1] == second) {
                merged.push_back(first + second);
                i += 2;
            } else {
                merged.push_back(std::move(word[i]));
                ++i;
            }
        }
        word = std::move(merged);
    }

    std::vector<int64_t> ids;
    ids.reserve(word.size());
    for (const std::string& symbol : word) {
        const auto it = encoder.find(symbol);
        if (it == encoder.end())
            throw Error("CLIP tokenizer: BPE symbol '" + symbol + "' is not in the vocabulary (inconsistent merges file)");
        ids.push_back(it->second);
    }
    return ids;
}

std::vector<int64_t> ClipTokenizer::Impl::cachedBpe(const std::string& bytes) const
{
    {
        std::lock_guard<std::mutex> lock(cacheMutex);
        const auto it = cache.find(bytes);
        if (it != cache.end())
            return it->second;
    }
    std::vector<int64_t> ids = bpe(bytes);
    std::lock_guard<std::mutex> lock(cacheMutex);
    if (cache.size() >= kCacheLimit)
        cache.clear();
    cache.emplace(bytes, ids);
    return ids;
}

ClipTokenizer::ClipTokenizer(const std::string& mergesPath) : impl_(std::make_unique<Impl>())
{
    const std::string content = readMaybeGzipped(mergesPath);

    // Python's content.split('\n'): a trailing newline yields a last empty line.
    std::vector<std::string> lines;
    for (size_t start = 0;;) {
        const size_t end = content.find('\n', start);
        lines.push_back(content.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos)
            break;
        start = end + 1;
        if (lines.size() > kMergeCount)
            break;  // the rest of the file is never used
    }
    if (lines.size() < kMergeCount + 1)
        throw Error("CLIP merges file '" + mergesPath + "' holds " + std::to_string(lines.size() - 1) +
                    " merge rules, CLIP needs " + std::to_string(kMergeCount) + " (is it bpe_simple_vocab_16e6.txt?)");

    const ByteAlphabet& alphabet = byteAlphabet();
    std::vector<std::string> vocabulary;
    vocabulary.reserve(512 + kMergeCount + 2);
    for (uint8_t b : alphabet.vocabularyOrder)
        vocabulary.push_back(alphabet.symbol[b]);
    for (uint8_t b : alphabet.vocabularyOrder)
        vocabulary.push_back(alphabet.symbol[b] + "</w>");

    Sha256 hash;
    for (size_t i = 1; i <= kMergeCount; ++i) {
        const std::string& line = lines[i];
        // merge.split(): exactly two whitespace-separated symbols per rule.
        std::vector<std::string> parts;
        size_t p = 0;
        while (p < line.size()) {
            while (p < line.size() && std::isspace(static_cast<unsigned char>(line[p])))
                ++p;
            const size_t begin = p;
            while (p < line.size() && !std::isspace(static_cast<unsigned char>(line[p])))
                ++p;
            if (p > begin)
                parts.push_back(line.substr(begin, p - begin));
        }
        if (parts.size() != 2)
            throw Error("CLIP merges file '" + mergesPath + "' line " + std::to_string(i + 1) +
                        ": expected two symbols separated by a space, got '" + line + "'");
        // Later duplicates win, as in the reference's dict(zip(...)).
        impl_->ranks[parts[0] + " " + parts[1]] = static_cast<int>(i - 1);
        vocabulary.push_back(parts[0] + parts[1]);
        hash.update(line);
        hash.update("\n", 1);
    }
    vocabulary.push_back(kStartText);
    vocabulary.push_back(kEndText);
    for (size_t id = 0; id < vocabulary.size(); ++id)
        impl_->encoder[vocabulary[id]] = static_cast<int64_t>(id);

    hash.update(std::string("clip-bpe"));
    impl_->fingerprint = hash.hexDigest();
}

ClipTokenizer::~ClipTokenizer() = default;

std::vector<int64_t> ClipTokenizer::encode(const std::string& text) const
{
    std::vector<int64_t> ids;
    std::string bytes;
    for (const std::u32string& word : splitWords(cleanText(text))) {
        bytes.clear();
        for (char32_t c : word)
            appendUtf8(bytes, c);
        const std::vector<int64_t> wordIds = impl_->cachedBpe(bytes);
        ids.insert(ids.end(), wordIds.begin(), wordIds.end());
    }
    return ids;
}

std::vector<int64_t> ClipTokenizer::tokenizeBatch(const std::vector<std::string>& texts, int contextLength) const
{
    if (contextLength < 1)
        throw Error("CLIP tokenizer: context length must be at least 1, got " + std::to_string(contextLength));
    const auto length = static_cast<size_t>(contextLength);
    std::vector<int64_t> out(texts.size() * length, 0);
    for (size_t row = 0; row < texts.size(); ++row) {
        std::vector<int64_t> ids = encode(texts[row]);
        ids.insert(ids.begin(), kStartToken);
        ids.push_back(kEndToken);
        // truncate=True in CLIP/open_clip: cut, but the model reads the end token's position.
        if (ids.size() > length) {
            ids.resize(length);
            ids.back() = kEndToken;
        }
        std::copy(ids.begin(), ids.end(), out.begin() + static_cast<std::ptrdiff_t>(row * length));
    }
    return out;
}

std::string ClipTokenizer::fingerprint() const { return impl_->fingerprint; }

}  // namespace xbt

#include "core/util/Utf8.h"

#include <unicode/utf8.h>

namespace xbt {

namespace {

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 when the
// bytes there are ill-formed. ICU's decoder judges (overlong forms, surrogates
// and code points above U+10FFFF are ill-formed); it indexes with int32_t, so
// it sees at most one sequence's 4 bytes, whatever the text's size.
size_t sequenceLength(std::string_view s, size_t i)
{
    const std::string_view window = s.substr(i, 4);
    int32_t end = 0;
    UChar32 c = 0;
    U8_NEXT(window.data(), end, static_cast<int32_t>(window.size()), c);
    return c < 0 ? 0 : static_cast<size_t>(end);
}

}  // namespace

size_t findInvalidUtf8(std::string_view text)
{
    for (size_t i = 0; i < text.size();) {
        const size_t n = sequenceLength(text, i);
        if (n == 0)
            return i;
        i += n;
    }
    return std::string_view::npos;
}

bool isValidUtf8(std::string_view text)
{
    return findInvalidUtf8(text) == std::string_view::npos;
}

std::string escapeInvalidUtf8(std::string_view bytes)
{
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size());
    for (size_t i = 0; i < bytes.size();) {
        const size_t n = sequenceLength(bytes, i);
        if (n > 0) {
            out.append(bytes.substr(i, n));
            i += n;
            continue;
        }
        const auto b = static_cast<unsigned char>(bytes[i++]);
        out += "\\x";
        out += kHex[b >> 4];
        out += kHex[b & 0xf];
    }
    return out;
}

namespace {

const char kHexDigits[] = "0123456789abcdef";

void appendHexEscape(std::string& out, unsigned char b)
{
    out += "\\x";
    out += kHexDigits[b >> 4];
    out += kHexDigits[b & 0xf];
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string escapeLine(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size());
    for (size_t i = 0; i < bytes.size();) {
        const auto b = static_cast<unsigned char>(bytes[i]);
        if (b == '\\') {
            out += "\\\\";
        } else if (b == '\n') {
            out += "\\n";
        } else if (b == '\r') {
            out += "\\r";
        } else if (b == '\t') {
            out += "\\t";
        } else if (b < 0x20 || b == 0x7f) {
            appendHexEscape(out, b);
        } else {
            const size_t n = sequenceLength(bytes, i);
            if (n == 0) {
                appendHexEscape(out, b);
            } else {
                out.append(bytes.substr(i, n));
                i += n;
                continue;
            }
        }
        ++i;
    }
    return out;
}

std::string unescapeLine(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c != '\\' || i + 1 >= text.size()) {
            out += c;
            continue;
        }
        const char e = text[i + 1];
        if (e == '\\' || e == 'n' || e == 'r' || e == 't') {
            out += e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : '\\';
            ++i;
        } else if (e == 'x' && i + 3 < text.size() && hexValue(text[i + 2]) >= 0 && hexValue(text[i + 3]) >= 0) {
            out += static_cast<char>(hexValue(text[i + 2]) * 16 + hexValue(text[i + 3]));
            i += 3;
        } else {
            out += c;
        }
    }
    return out;
}

std::string printableExcerpt(std::string_view bytes, size_t maxBytes)
{
    const bool cut = bytes.size() > maxBytes;
    std::string out = escapeLine(bytes.substr(0, maxBytes));
    return cut ? out + "..." : out;
}

}  // namespace xbt

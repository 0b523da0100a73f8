#include "core/util/Utf8.h"

namespace xbt {

namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 when it is malformed.
size_t sequenceLength(std::string_view s, size_t i)
{
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = byte(i);
    if (c < 0x80)
        return 1;
    size_t n = 0;
    unsigned int cp = 0;
    if ((c & 0xe0) == 0xc0) {
        n = 2;
        cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3;
        cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + n > s.size())
        return 0;
    for (size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3f);
    }
    static const unsigned int minimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < minimum[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
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

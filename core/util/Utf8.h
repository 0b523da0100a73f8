#pragma once
// UTF-8 checks and escaping. Text formats users bring (caption files, CSV)
// are validated so that a bad byte is reported with its line instead of
// surfacing later as mojibake; file names on Linux are bytes, so outputs that
// must be UTF-8 (JSON) escape what is not. Whether bytes are well-formed is
// ICU's call (its U8_NEXT decoder); the escapes are this project's own
// formats, read back by unescapeLine, so they are written here.

#include <cstddef>
#include <string>
#include <string_view>

namespace xbt {

// Offset of the first byte that does not start a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points above U+10FFFF are malformed),
// or std::string_view::npos when the whole text is valid.
size_t findInvalidUtf8(std::string_view text);
bool isValidUtf8(std::string_view text);
// Each byte that is not part of a valid sequence becomes the four characters
// \xNN (hex), so such a name is shown, never dropped. (A name that really
// contains "\x" and two hex digits reads the same: rare enough to accept.)
std::string escapeInvalidUtf8(std::string_view bytes);

// A name (or any bytes) as one line of plain text that reads back exactly:
// backslash becomes \\, newline \n, carriage return \r, tab \t, other
// control characters and bytes that are not valid UTF-8 \xNN. Used by row
// listings (xbt embed's E.npy.txt) and the CLI's plain-text output, so a file
// name with a newline in it cannot split a row or forge an output line.
std::string escapeLine(std::string_view bytes);
// The inverse of escapeLine; a backslash not starting one of its escapes is
// kept as it is.
std::string unescapeLine(std::string_view text);
// escapeLine, cut to about `maxBytes` with "..." marking the cut: for quoting
// untrusted content (a file's header, a JSON token) in an error message.
std::string printableExcerpt(std::string_view bytes, size_t maxBytes = 80);

}  // namespace xbt

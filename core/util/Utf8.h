#pragma once
// UTF-8 checks and escaping. Text formats users bring (caption files, CSV)
// are validated so that a bad byte is reported with its line instead of
// surfacing later as mojibake; file names on Linux are bytes, so outputs that
// must be UTF-8 (JSON) escape what is not.

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

}  // namespace xbt

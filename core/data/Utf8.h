#pragma once
// UTF-8 validation for the text formats users bring (caption files, CSV):
// a bad byte is reported with its line instead of surfacing later as mojibake
// in the gallery or a tokenizer failure.

#include <cstddef>
#include <string_view>

namespace xbt {

// Offset of the first byte that does not start a well-formed UTF-8 sequence
// (overlong forms, surrogates and code points above U+10FFFF are malformed),
// or std::string_view::npos when the whole text is valid.
size_t findInvalidUtf8(std::string_view text);

}  // namespace xbt

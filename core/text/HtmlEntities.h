#pragma once
// Python's html.unescape, which CLIP's reference tokenizer applies (twice) to
// every caption: the ids only match when references resolve exactly as there.

#include <string>

namespace xbt {

// Replaces character references as Python 3.11's html.unescape does: decimal
// and hex references (with its replacements for invalid code points), all
// HTML5 named references, the legacy names it accepts without ';' ("&amp")
// and the longest-known-prefix rule for unknown names ("&notit;" -> "¬it;").
std::u32string htmlUnescape(const std::u32string& text);

}  // namespace xbt

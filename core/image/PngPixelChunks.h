#pragma once
// A PNG reduced to the chunks that decide its pixels (IHDR, PLTE, tRNS,
// IDAT, IEND), after checking what libpng would otherwise complain about on
// stderr, where a user cannot tell which file it meant: each kept chunk's
// CRC, and that the image data inflates to exactly the size its header
// implies. Ancillary chunks (colour profiles, text, gamma) change no pixel
// of the reference pipeline (Pillow ignores them too), so dropping them
// keeps decoding bit-exact while silencing libpng's warnings about them.

#include <string>

namespace xbt {

// Throws ImageError (corrupt) naming `name` for a damaged PNG.
std::string pngPixelChunks(const std::string& png, const std::string& name);

}  // namespace xbt

#pragma once
// A text's words and word pairs hashed into a short signed vector (the
// "hashing trick"): no vocabulary, so any text of any language gets one, and
// word order is kept where it matters most ("red circle, blue square" and
// "blue circle, red square" differ in their pairs). FCT side information for
// captions (core/embed/SideInformation.h).

#include <string>
#include <vector>

namespace xbt {

// Words as WordTokenizer::splitWords finds them (lower-cased runs of letters
// and digits); each word and each adjacent pair adds +1 or -1 to one of
// `dims` buckets, both chosen by a fixed 64-bit FNV-1a hash, so the vector is
// the same on every machine. Scaled to unit length (all zeros for a text
// without words). dims must be at least 1.
std::vector<float> hashedWordFeatures(const std::string& text, int dims);

}  // namespace xbt

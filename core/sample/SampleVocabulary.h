#pragma once
// Every token a sample-world caption can contain, for the word-level
// tokenizer of the built-in models. Captions are lower-case; words are
// separated by single spaces; the only punctuation is the comma, written
// straight after a word ("a red circle, small and striped") and listed here
// as the token "," (split it off when tokenizing; see captionTokens()).

#include <string>
#include <vector>

namespace xbt {

// Sorted, without duplicates.
std::vector<std::string> sampleVocabulary();

}  // namespace xbt

#pragma once
// Hard negative captions for training a text tower that must read word
// order (NegCLIP's recipe, Yuksekgonul et al. 2023): the caption's own words
// rearranged so that it describes another scene — two colours, shapes or
// sizes swapped between the objects, or a direction turned around ("left"
// <-> "right", "top" <-> "bottom"). A contrastive loss that must rank the
// true caption above such a negative cannot be met by a bag of words.

#include <cstdint>
#include <optional>
#include <string>

namespace xbt {

// A negative for a sample-world caption, chosen among the swaps the caption
// allows by `seed`; std::nullopt when it allows none (one object of one
// colour, no direction word). Words are the tokenizer's (lower case, commas
// as words).
std::optional<std::string> wordOrderNegative(const std::string& caption, uint64_t seed);

}  // namespace xbt

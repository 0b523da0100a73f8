#pragma once
// Captions for a sample-world scene. Every caption states every attribute of
// the scene's signature (each object's shape, colour, size and fill, the
// relation, the location, the count and arrangement), in varied templates,
// synonyms and word orders.
//
// Word choices are made per caption, not per object: a synonym is picked for
// each attribute value and a phrase style for the whole caption. Hard-case
// twins share their caption seed, so their captions use the same template and
// the same words in a different binding or order: identical bags of words.

#include "core/sample/SceneDescription.h"

#include <cstdint>
#include <string>
#include <vector>

namespace xbt {

constexpr int kCaptionsPerScene = 5;

// `count` distinct captions (fewer only if the templates cannot produce that many).
std::vector<std::string> writeCaptions(const SceneDescription& scene, uint64_t captionSeed,
                                       int count = kCaptionsPerScene);

// Splits a caption into the tokens the vocabulary lists: words at spaces,
// each comma a token of its own.
std::vector<std::string> captionTokens(const std::string& caption);

}  // namespace xbt

#pragma once
// Reads a sample-world caption back into the attributes it states: objects
// (shape, colour, size, fill, how many), a direction between two objects, a
// location, an arrangement. It works from the lexicon's words and its own
// structural rules (attributes attach to the nearest noun, a relation cue
// relates the objects around it), never from the caption templates, so it
// checks that the writer's templates say what the scene shows.

#include "core/sample/SceneDescription.h"

#include <string>

namespace xbt {

struct ParsedCaption {
    bool ok = false;
    std::string error;             // why the caption could not be read, when !ok
    SceneDescription description;  // category inferred from what the caption states
};

ParsedCaption parseSampleCaption(const std::string& caption);

}  // namespace xbt

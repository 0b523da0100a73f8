#pragma once
// The upgrade a workspace is about when it has no upgrade.json (one made
// with the CLI): the old model and its gallery from what the galleries
// record, the new model from what the adapters trained into the old model's
// space record. Where the records allow more than one answer, the choices
// are listed for the user to pick from; nothing is guessed silently.

#include "core/workspace/UpgradeProfile.h"

#include <string>
#include <vector>

namespace xbt {

class Workspace;

struct ProfileChoice {
    std::string field;                 // "old_model", "old_gallery", "new_model"
    std::string question;              // what to ask, in words
    std::vector<std::string> options;  // model specs or gallery names
};

struct ProfileInference {
    UpgradeProfile profile;              // what the records say (fields left empty when unknown)
    std::vector<ProfileChoice> choices;  // ambiguities the user must settle
    std::vector<std::string> missing;    // settings nothing recorded, in words
    bool complete() const { return !profile.oldModel.empty() && !profile.newModel.empty() && choices.empty(); }
};

ProfileInference inferUpgradeProfile(const Workspace& workspace);

}  // namespace xbt

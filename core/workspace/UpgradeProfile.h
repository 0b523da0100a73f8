#pragma once
// Which upgrade a workspace is about: the old and the new model, the old
// model's gallery (and a new-model gallery when one was built, for the
// new->new reference), the captioned split used for evaluation and the demo
// query list. Stored as WS/upgrade.json; the workbench and `xbt demo` read it.

#include <string>

namespace xbt {

struct UpgradeProfile {
    std::string oldModel;     // model specs, as for --model
    std::string newModel;
    std::string oldGallery = "default";
    std::string newGallery;   // optional
    std::string evalSplit;    // a split folder (relative paths are relative to the workspace)
    std::string demoQueries;  // a text file, one query per line (relative: to the workspace)
    std::string defaultAdapter;

    // Absolute forms of the relative paths above.
    std::string evalSplitPath(const std::string& workspaceDir) const;
    std::string demoQueriesPath(const std::string& workspaceDir) const;
};

// Missing file: std::nullopt-like empty profile (oldModel empty). Errors name
// the file and field.
UpgradeProfile loadUpgradeProfile(const std::string& workspaceDir);
bool hasUpgradeProfile(const std::string& workspaceDir);
void saveUpgradeProfile(const std::string& workspaceDir, const UpgradeProfile& profile);

}  // namespace xbt

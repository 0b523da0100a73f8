#pragma once
// --rename OLD NEW and --delete NAME, shared by the commands that manage a
// workspace's galleries and adapters.

#include "app/xbt/CliArgs.h"

#include <functional>
#include <string>

namespace xbt::cli {

// Runs the rename or delete the arguments ask for and prints what was done;
// `kind` names the thing ("gallery"). Returns the exit code.
int renameOrDelete(const CliArgs& args, const std::string& kind,
                   const std::function<void(const std::string& from, const std::string& to)>& rename,
                   const std::function<void(const std::string& name)>& remove);

}  // namespace xbt::cli

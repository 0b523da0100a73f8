#pragma once
// One `xbt` sub-command: its name, help text, options and entry point.
// Each command is defined in its own file under commands/ and listed in
// CommandTable.cpp.

#include "app/xbt/CliArgs.h"

#include <functional>
#include <string>
#include <vector>

namespace xbt::cli {

// Exit codes are a contract (see docs/cli.md): scripts rely on them.
enum ExitCode : int { kExitOk = 0, kExitFailed = 1, kExitPartial = 2 };

struct Command {
    std::string name;         // "info", "bench embed", ...
    std::string summary;      // one line for `xbt --help`
    std::string usage;        // the synopsis line(s)
    std::vector<OptionSpec> options;
    std::function<int(const CliArgs&)> run;
};

const std::vector<Command>& commandTable();
std::string commandHelp(const Command& c);
// The command that `args` starts with, the longest name first (so that
// "bench embed" wins over a plain "bench"); `words` gets how many of the
// arguments named it. Null when none does.
const Command* findCommand(const std::vector<std::string>& args, size_t& words);

}  // namespace xbt::cli

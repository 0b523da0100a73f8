// `xbt`: the command-line face of the engine. Dispatches to one command;
// turns engine errors into a message on stderr and exit code 1.

#include "app/xbt/Command.h"
#include "core/util/ProcessTuning.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <algorithm>
#include <iostream>
#include <set>

using namespace xbt::cli;

namespace {

void printOverview()
{
    std::cout << "usage: xbt <command> [options]   (xbt <command> --help for details)\n\ncommands:\n";
    for (const Command& c : commandTable()) {
        std::cout << "  " << c.name;
        std::cout << std::string(c.name.size() < 18 ? 18 - c.name.size() : 2, ' ');
        std::cout << c.summary << "\n";
    }
    std::cout << "\nexit codes: 0 all done, 2 done but some inputs failed, 1 could not run\n";
}

}  // namespace

int main(int argc, char** argv)
{
    xbt::capProcessUmask();
    xbt::keepFreedMemoryForReuse();
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        printOverview();
        return args.empty() ? kExitFailed : kExitOk;
    }
    size_t words = 0;
    const Command* command = findCommand(args, words);
    if (!command) {
        std::cerr << "xbt: unknown command '" << args[0] << "' (run xbt --help for the list)\n";
        return kExitFailed;
    }
    args.erase(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(words));
    if (std::find(args.begin(), args.end(), "--help") != args.end()) {
        std::cout << commandHelp(*command);
        return kExitOk;
    }
    // Commands that run models (or FAISS) get sleeping OpenMP workers; the
    // quick ones are not worth a second program start (ProcessTuning.h).
    static const std::set<std::string> quick = {"info", "tokenize", "preprocess", "sample generate",
                                                "adapters", "galleries", "report"};
    if (!quick.count(command->name))
        xbt::sleepIdleOpenMpThreads(argv);
    try {
        const CliArgs parsed = CliArgs::parse(args, command->options);
        return command->run(parsed);
    } catch (const UsageError& e) {
        std::cerr << "xbt " << command->name << ": " << e.what() << "\n\n" << commandHelp(*command);
        return kExitFailed;
    } catch (const xbt::Error& e) {
        std::cerr << "xbt " << command->name << ": error: " << e.what() << "\n";
        return kExitFailed;
    } catch (const std::exception& e) {
        std::cerr << "xbt " << command->name << ": unexpected error: " << e.what() << "\n";
        return kExitFailed;
    }
}

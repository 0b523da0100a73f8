#include "app/xbt/WorkspaceEntryCli.h"

#include "app/xbt/Command.h"

#include <cstdio>

namespace xbt::cli {

int renameOrDelete(const CliArgs& args, const std::string& kind,
                   const std::function<void(const std::string& from, const std::string& to)>& rename,
                   const std::function<void(const std::string& name)>& remove)
{
    if (args.has("rename") && args.has("delete"))
        throw UsageError("give --rename OLD NEW or --delete NAME, not both");
    if (args.has("rename")) {
        if (args.positional().size() != 1)
            throw UsageError("--rename needs the old and the new name: --rename OLD NEW");
        rename(args.value("rename"), args.positional().front());
        std::printf("renamed %s %s to %s\n", kind.c_str(), args.value("rename").c_str(),
                    args.positional().front().c_str());
        return kExitOk;
    }
    if (!args.positional().empty())
        throw UsageError("unexpected argument '" + args.positional().front() + "'");
    remove(args.value("delete"));
    std::printf("deleted %s %s\n", kind.c_str(), args.value("delete").c_str());
    return kExitOk;
}

}  // namespace xbt::cli

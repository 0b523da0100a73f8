// Placeholder until the command lands; replaced by its real implementation.
#include "app/xbt/Command.h"

namespace xbt::cli {

Command makeInfoCommand()
{
    return {"info", "(not implemented yet)", "xbt info", {}, [](const CliArgs&) { return int(kExitFailed); }};
}

}  // namespace xbt::cli

// Placeholder until the command lands; replaced by its real implementation.
#include "app/xbt/Command.h"

namespace xbt::cli {

Command makeEmbedCommand()
{
    return {"embed", "(not implemented yet)", "xbt embed", {}, [](const CliArgs&) { return int(kExitFailed); }};
}

}  // namespace xbt::cli

// Placeholder until the command lands; replaced by its real implementation.
#include "app/xbt/Command.h"

namespace xbt::cli {

Command makeBenchEmbedCommand()
{
    return {"bench embed", "(not implemented yet)", "xbt bench embed", {}, [](const CliArgs&) { return int(kExitFailed); }};
}

}  // namespace xbt::cli

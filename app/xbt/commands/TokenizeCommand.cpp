// Placeholder until the command lands; replaced by its real implementation.
#include "app/xbt/Command.h"

namespace xbt::cli {

Command makeTokenizeCommand()
{
    return {"tokenize", "(not implemented yet)", "xbt tokenize", {}, [](const CliArgs&) { return int(kExitFailed); }};
}

}  // namespace xbt::cli

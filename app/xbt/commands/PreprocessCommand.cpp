// Placeholder until the command lands; replaced by its real implementation.
#include "app/xbt/Command.h"

namespace xbt::cli {

Command makePreprocessCommand()
{
    return {"preprocess", "(not implemented yet)", "xbt preprocess", {}, [](const CliArgs&) { return int(kExitFailed); }};
}

}  // namespace xbt::cli

#pragma once
// Ctrl-C during a long command cancels it cleanly (checkpoints are written,
// stores stay consistent) instead of killing the process mid-write.

#include "core/util/Progress.h"

namespace xbt::cli {

// A token that SIGINT/SIGTERM cancel; a second signal exits at once.
CancelToken cancelOnInterrupt();

}  // namespace xbt::cli

#pragma once
// A one-line progress display on stderr (only when stderr is a terminal, so
// logs and tests stay clean).

#include "core/util/Progress.h"

namespace xbt::cli {

ProgressCallback terminalProgress();

}  // namespace xbt::cli

#pragma once
// The current time as ISO 8601 UTC ("2026-11-25T20:00:00Z"), the form every
// result file and adapter records.

#include <string>

namespace xbt {

std::string utcTimestamp();

}  // namespace xbt

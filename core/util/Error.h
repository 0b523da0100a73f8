#pragma once
// Errors the engine raises. Messages are written for the user: they name the
// file, line, key or setting at fault and, where possible, say what to do.
// Callers at the boundary (CLI, UI job runner) catch xbt::Error and show what().

#include <stdexcept>
#include <string>

namespace xbt {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Raised by long operations when their CancelToken was triggered.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

}  // namespace xbt

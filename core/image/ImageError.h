#pragma once
// Why one image could not be used. Indexing records the reason per file and
// carries on; embedding commands name the file and reason on stderr.

#include "core/util/Error.h"

namespace xbt {

class ImageError : public Error {
public:
    enum class Reason { Unreadable, Empty, Corrupt, Unsupported, TooLarge };

    ImageError(Reason reason, const std::string& path, const std::string& detail)
        : Error(path + ": " + detail), reason_(reason)
    {
    }
    Reason reason() const { return reason_; }
    static const char* reasonName(Reason r)
    {
        switch (r) {
        case Reason::Unreadable: return "unreadable";
        case Reason::Empty: return "empty";
        case Reason::Corrupt: return "corrupt";
        case Reason::Unsupported: return "unsupported";
        case Reason::TooLarge: return "too large";
        }
        return "error";
    }

private:
    Reason reason_;
};

}  // namespace xbt

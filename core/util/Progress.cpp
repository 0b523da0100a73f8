#include "core/util/Progress.h"

#include "core/util/Error.h"

namespace xbt {

void CancelToken::throwIfCancelled() const
{
    if (isCancelled())
        throw Cancelled();
}

}  // namespace xbt

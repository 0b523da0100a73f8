#include "core/util/Progress.h"

#include "core/util/Error.h"

#include <chrono>

namespace xbt {

void CancelToken::throwIfCancelled() const
{
    if (isCancelled())
        throw Cancelled();
}

double monotonicSeconds()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

ProgressMeter::ProgressMeter(std::string stage, int64_t total, ProgressCallback callback)
    : stage_(std::move(stage)), total_(total), callback_(std::move(callback)), start_(monotonicSeconds())
{
}

void ProgressMeter::update(int64_t done, const std::string& message)
{
    if (!callback_)
        return;
    Progress p;
    p.stage = stage_;
    p.done = done;
    p.total = total_;
    p.message = message;
    const double elapsed = monotonicSeconds() - start_;
    if (elapsed > 0 && done > 0) {
        p.itemsPerSecond = static_cast<double>(done) / elapsed;
        if (total_ > 0)
            p.etaSeconds = static_cast<double>(total_ - done) / p.itemsPerSecond;
    }
    callback_(p);
}

}  // namespace xbt

#pragma once
// Progress reporting and cancellation for long operations. Engine code never
// prints: it calls a ProgressCallback, and polls a CancelToken between units
// of work (throwing xbt::Cancelled through throwIfCancelled()).

#include <atomic>
#include <functional>
#include <memory>
#include <string>

namespace xbt {

struct Progress {
    std::string stage;      // e.g. "embedding images"
    int64_t done = 0;
    int64_t total = 0;      // 0 when unknown
    double itemsPerSecond = 0.0;
    double etaSeconds = -1.0;  // < 0 when unknown
    std::string message;
};

using ProgressCallback = std::function<void(const Progress&)>;

// Shared between the thread that runs a job and the one that may cancel it.
class CancelToken {
public:
    CancelToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
    void cancel() const { flag_->store(true); }
    bool isCancelled() const { return flag_->load(); }
    void throwIfCancelled() const;

private:
    std::shared_ptr<std::atomic<bool>> flag_;
};

}  // namespace xbt

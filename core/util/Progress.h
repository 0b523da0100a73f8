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

// Reports done/total with a rate and ETA measured since construction.
class ProgressMeter {
public:
    ProgressMeter(std::string stage, int64_t total, ProgressCallback callback);
    void update(int64_t done, const std::string& message = {});

private:
    std::string stage_;
    int64_t total_;
    ProgressCallback callback_;
    double start_;
};

// Seconds on a monotonic clock, for durations and rates.
double monotonicSeconds();

}  // namespace xbt

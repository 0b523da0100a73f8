#include "ui/workbench/EventLoopStallMeter.h"

#include <QTimer>

#include <algorithm>
#include <cmath>

namespace xbt::ui {

EventLoopStallMeter::EventLoopStallMeter(int intervalMs, QObject* parent)
    : QObject(parent), intervalMs_(intervalMs), timer_(new QTimer(this))
{
    // A coarse timer may fire up to 5% late by design: that would read as stalls.
    timer_->setTimerType(Qt::PreciseTimer);
    timer_->setInterval(intervalMs_);
    connect(timer_, &QTimer::timeout, this, &EventLoopStallMeter::tick);
}

void EventLoopStallMeter::start()
{
    lateMs_.clear();
    clock_.start();
    lastNs_ = 0;
    timer_->start();
}

void EventLoopStallMeter::stop() { timer_->stop(); }

bool EventLoopStallMeter::running() const { return timer_->isActive(); }

void EventLoopStallMeter::tick()
{
    const qint64 now = clock_.nsecsElapsed();
    const double gapMs = static_cast<double>(now - lastNs_) / 1e6;
    lastNs_ = now;
    lateMs_.push_back(std::max(0.0, gapMs - intervalMs_));
}

StallStats EventLoopStallMeter::stats() const
{
    StallStats s;
    s.ticks = static_cast<int>(lateMs_.size());
    s.seconds = clock_.isValid() ? static_cast<double>(clock_.nsecsElapsed()) / 1e9 : 0.0;
    if (lateMs_.empty())
        return s;
    std::vector<double> sorted = lateMs_;
    std::sort(sorted.begin(), sorted.end());
    s.longestMs = sorted.back();
    // Nearest-rank percentile.
    const size_t rank = static_cast<size_t>(std::ceil(0.99 * static_cast<double>(sorted.size())));
    s.p99Ms = sorted[std::min(sorted.size(), std::max<size_t>(rank, 1)) - 1];
    return s;
}

}  // namespace xbt::ui

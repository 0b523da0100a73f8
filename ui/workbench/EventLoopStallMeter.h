#pragma once
// Measures how long the GUI thread's event loop goes without turning: a
// precise timer ticks every few milliseconds and each tick records how late
// it came. A late tick is a stall the user feels (no repaint, no input).

#include <QElapsedTimer>
#include <QObject>

#include <vector>

class QTimer;

namespace xbt::ui {

struct StallStats {
    int ticks = 0;
    double longestMs = 0.0;  // worst lateness of a tick beyond its interval
    double p99Ms = 0.0;      // 99th percentile of that lateness
    double seconds = 0.0;    // how long the meter ran
};

class EventLoopStallMeter : public QObject {
    Q_OBJECT
public:
    explicit EventLoopStallMeter(int intervalMs = 10, QObject* parent = nullptr);

    // Starts a new measurement (forgetting the previous one).
    void start();
    void stop();
    bool running() const;
    StallStats stats() const;

private:
    void tick();

    int intervalMs_;
    QTimer* timer_;
    QElapsedTimer clock_;
    qint64 lastNs_ = 0;
    std::vector<double> lateMs_;
};

}  // namespace xbt::ui

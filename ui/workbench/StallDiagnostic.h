#pragma once
// `xbt-workbench --measure-stalls`: how long the GUI thread stops turning
// while real engine jobs run through the workbench's own panels and job
// runner. It indexes the workspace's evaluation split with the new model
// into a scratch gallery (Index panel), trains adapters (Train panel: a
// least-squares fit, then a short XBT stage 1 whose loss and validation
// charts update live), and measures each job, from its start until the
// window has taken in the result, with an EventLoopStallMeter. The scratch
// gallery and adapters (named kProbeName...) are removed before and after.

#include "ui/workbench/EventLoopStallMeter.h"

#include <QList>
#include <QMetaObject>
#include <QObject>
#include <QString>

#include <nlohmann/json.hpp>

#include <functional>
#include <vector>

class QTimer;

namespace xbt::ui {

class MainWindow;

class StallDiagnostic : public QObject {
    Q_OBJECT
public:
    static constexpr const char* kProbeName = "xbt-stall-probe";

    struct Row {
        QString job;
        StallStats stalls;
        QString error;  // the job failed: its stalls still count
    };

    // The window must have a workspace open (with upgrade.json and an
    // evaluation split, as the sample workspace has).
    explicit StallDiagnostic(MainWindow* window, QObject* parent = nullptr);

    struct Training {
        QString method;
        nlohmann::json settings;  // changed from the method's defaults (to keep it short)
    };

    void setIdleMs(int ms) { idleMs_ = ms; }
    void setTrainings(std::vector<Training> trainings) { trainings_ = std::move(trainings); }
    void start();
    const QList<Row>& rows() const { return rows_; }
    bool ok() const;
    // The rows as a plain-text table (job, duration, longest and 99th
    // percentile stall).
    static QString table(const QList<Row>& rows);

Q_SIGNALS:
    void finished();

private:
    void next();
    void measure(const QString& job, const std::function<QString()>& begin);
    void phaseDone(const QString& error);
    void removeProbe(const std::function<void()>& then);
    void disconnectPhase();
    // Runs `f` once no job of the window's runner is running.
    void afterJobs(std::function<void()> f);

    MainWindow* window_;
    EventLoopStallMeter* meter_;
    QTimer* idlePoll_;
    std::function<void()> whenIdle_;
    int idleMs_ = 2000;
    std::vector<Training> trainings_;
    std::vector<std::function<void()>> steps_;
    size_t step_ = 0;
    QString phase_;
    QString phaseError_;
    std::vector<QMetaObject::Connection> phaseConnections_;
    QList<Row> rows_;
};

}  // namespace xbt::ui

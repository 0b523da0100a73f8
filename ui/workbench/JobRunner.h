#pragma once
// The one place engine work leaves the GUI thread. A Job (see Job.h) runs on
// a worker thread with a JobContext (cancel token, throttled progress, a way
// to post to the GUI thread); its signals arrive on the GUI thread. Every
// job records the thread it ran on and the workspace it works on, so a test
// can assert that engine work never runs on the GUI thread, and closing a
// workspace can cancel its jobs.

#include "core/util/Progress.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QThreadPool>

#include <functional>
#include <memory>
#include <mutex>

class QThread;

namespace xbt::ui {

class Job;
class JobRunner;

// Handed to a job's work function on its worker thread.
class JobContext {
public:
    JobContext(JobRunner* runner, int id, CancelToken cancel) : runner_(runner), id_(id), cancel_(std::move(cancel)) {}

    const CancelToken& cancel() const { return cancel_; }
    // Reports progress to the status bar; thread-safe and throttled so a
    // chatty engine loop cannot flood the event queue.
    ProgressCallback progress() const;
    // Runs `f` on the GUI thread (queued), e.g. to feed a live chart.
    void post(std::function<void()> f) const;
    int id() const { return id_; }

private:
    JobRunner* runner_;
    int id_;
    CancelToken cancel_;
};

struct JobRecord {
    int id = 0;
    QString title;
    QString workspace;          // the job's workspace folder, or empty
    QThread* thread = nullptr;  // where the work function ran
    bool running = false;
    bool ok = false;
    bool cancelled = false;
    QString error;
};

class JobRunner : public QObject {
    Q_OBJECT
public:
    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;

    // Starts `job` on a worker and takes ownership of it (deleted after its
    // succeeded or failed signal). Returns its id.
    int start(Job* job);

    void cancel(int id);
    void cancelAll();
    // Cancels every running job of that workspace (it is being closed).
    void cancelWorkspace(const QString& workspaceDir);
    bool isRunning(int id) const;
    int runningCount() const;
    QList<JobRecord> history() const;
    JobRecord record(int id) const;
    // For tests and shutdown: processes events until no job runs.
    bool waitForIdle(int timeoutMs);

Q_SIGNALS:
    void jobStarted(int id, const QString& title);
    void jobProgress(int id, const QString& stage, qint64 done, qint64 total, const QString& detail);
    void jobFinished(int id, const QString& title, bool ok, bool cancelled, const QString& error);

private:
    friend class JobContext;
    using Failed = std::function<void(const QString& error, bool cancelled)>;
    using Body = std::function<std::function<void()>(JobContext&)>;
    int start(QObject* context, const QString& title, Body body, Failed failed);
    void finish(int id, std::function<void()> continuation, QPointer<QObject> context, bool hadContext,
                Failed failed, bool ok, bool cancelled, const QString& error);

    QThreadPool pool_;
    mutable std::mutex mutex_;
    QHash<int, JobRecord> records_;
    QHash<int, CancelToken> tokens_;
    int nextId_ = 1;
};

}  // namespace xbt::ui

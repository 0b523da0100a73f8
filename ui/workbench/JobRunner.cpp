#include "ui/workbench/JobRunner.h"

#include "core/util/Error.h"
#include "ui/workbench/Job.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QMetaObject>
#include <QRunnable>
#include <QThread>

#include <atomic>
#include <chrono>

namespace xbt::ui {

ProgressCallback JobContext::progress() const
{
    // 20 updates a second are plenty for a progress bar; the last one of a
    // stage (done == total) always goes through.
    auto last = std::make_shared<std::atomic<int64_t>>(0);
    JobRunner* runner = runner_;
    const int id = id_;
    return [runner, id, last](const Progress& p) {
        const int64_t now =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
                .count();
        if (p.total == 0 || p.done < p.total) {
            if (now - last->load() < 50)
                return;
        }
        last->store(now);
        QString detail = QString::fromStdString(p.message);
        if (p.itemsPerSecond > 0)
            detail += (detail.isEmpty() ? QString() : QStringLiteral("  ")) +
                      QStringLiteral("%1/s").arg(p.itemsPerSecond, 0, 'f', 1);
        if (p.etaSeconds >= 0)
            detail += QStringLiteral("  ETA %1 s").arg(static_cast<int>(p.etaSeconds));
        const QString stage = QString::fromStdString(p.stage);
        const qint64 done = p.done, total = p.total;
        QMetaObject::invokeMethod(
            runner, [runner, id, stage, done, total, detail] { Q_EMIT runner->jobProgress(id, stage, done, total, detail); },
            Qt::QueuedConnection);
    };
}

void JobContext::post(std::function<void()> f) const
{
    QMetaObject::invokeMethod(runner_, std::move(f), Qt::QueuedConnection);
}

JobRunner::JobRunner(QObject* parent) : QObject(parent)
{
    // Three workers: a long job (training, indexing) must not block a query
    // or a thumbnail. Jobs that share models serialise on the owner's lock
    // (UpgradeSession).
    pool_.setMaxThreadCount(3);
}

JobRunner::~JobRunner()
{
    cancelAll();
    pool_.waitForDone();
}

int JobRunner::start(Job* job)
{
    job->setParent(nullptr);
    const int id = start(
        job, job->title(),
        [job](JobContext& ctx) -> std::function<void()> {
            job->run(ctx);
            return [job] { Q_EMIT job->succeeded(); };
        },
        [job](const QString& error, bool cancelled) { Q_EMIT job->failed(error, cancelled); });
    job->id_ = id;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        records_[id].workspace = job->workspaceDir();
    }
    connect(this, &JobRunner::jobFinished, job, [job, id](int finished) {
        if (finished == id)
            job->deleteLater();
    });
    return id;
}

void JobRunner::cancelWorkspace(const QString& workspaceDir)
{
    std::lock_guard<std::mutex> lock(mutex_);
    for (const JobRecord& r : records_)
        if (r.running && !workspaceDir.isEmpty() && r.workspace == workspaceDir && tokens_.contains(r.id))
            tokens_[r.id].cancel();
}

int JobRunner::start(QObject* context, const QString& title, Body body, Failed failed)
{
    CancelToken token;
    int id;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        id = nextId_++;
        JobRecord r;
        r.id = id;
        r.title = title;
        r.running = true;
        records_.insert(id, r);
        tokens_.insert(id, token);
    }
    Q_EMIT jobStarted(id, title);
    QPointer<QObject> guard(context);
    const bool hadContext = context != nullptr;
    pool_.start([this, id, token, body = std::move(body), guard, hadContext, failed = std::move(failed)]() mutable {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            records_[id].thread = QThread::currentThread();
        }
        JobContext ctx(this, id, token);
        std::function<void()> continuation;
        bool ok = false, cancelled = false;
        QString error;
        try {
            continuation = body(ctx);
            ok = true;
        } catch (const Cancelled&) {
            cancelled = true;
            error = QStringLiteral("cancelled");
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
            cancelled = token.isCancelled();
        } catch (...) {
            error = QStringLiteral("unknown error");
        }
        QMetaObject::invokeMethod(
            this,
            [this, id, continuation = std::move(continuation), guard, hadContext, failed = std::move(failed), ok,
             cancelled, error]() mutable { finish(id, std::move(continuation), guard, hadContext, failed, ok, cancelled, error); },
            Qt::QueuedConnection);
    });
    return id;
}

void JobRunner::finish(int id, std::function<void()> continuation, QPointer<QObject> context, bool hadContext,
                       Failed failed, bool ok, bool cancelled, const QString& error)
{
    QString title;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        JobRecord& r = records_[id];
        r.running = false;
        r.ok = ok;
        r.cancelled = cancelled;
        r.error = error;
        title = r.title;
        tokens_.remove(id);
    }
    const bool deliver = !hadContext || context;
    // A completion that throws must not take the application down: it
    // becomes the job's error.
    QString finalError = error;
    if (deliver) {
        try {
            if (ok && continuation)
                continuation();
            else if (!ok && failed)
                failed(error, cancelled);
        } catch (const std::exception& e) {
            ok = false;
            finalError = QString::fromStdString(e.what());
            if (failed)
                failed(finalError, false);
        }
    }
    Q_EMIT jobFinished(id, title, ok, cancelled, finalError);
}

void JobRunner::cancel(int id)
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (tokens_.contains(id))
        tokens_[id].cancel();
}

void JobRunner::cancelAll()
{
    std::lock_guard<std::mutex> lock(mutex_);
    for (const CancelToken& t : tokens_)
        t.cancel();
}

bool JobRunner::isRunning(int id) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return records_.contains(id) && records_[id].running;
}

int JobRunner::runningCount() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    int n = 0;
    for (const JobRecord& r : records_)
        n += r.running ? 1 : 0;
    return n;
}

QList<JobRecord> JobRunner::history() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return records_.values();
}

JobRecord JobRunner::record(int id) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return records_.value(id);
}

bool JobRunner::waitForIdle(int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (runningCount() > 0) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(5);
    }
    return true;
}

}  // namespace xbt::ui

#include "ui/workbench/ExploreSearcher.h"

#include "ui/workbench/JobRunner.h"
#include "ui/workbench/WorkspaceJobs.h"

namespace xbt::ui {

ExploreSearcher::ExploreSearcher(JobRunner* runner, QObject* parent) : QObject(parent), runner_(runner) {}

bool ExploreSearcher::busy() const { return runningJob_ && runner_->isRunning(runningJob_); }

void ExploreSearcher::search(const ComparisonQuery& query)
{
    if (!session_) {
        Q_EMIT failed(tr("Open a workspace first (Ctrl+O)."));
        return;
    }
    if (busy())
        runner_->cancel(runningJob_);
    const int generation = ++generation_;
    auto* job = new CompareJob(session_, query, previewSize_);
    connect(job, &Job::succeeded, this, [this, job, generation] {
        if (generation == generation_)
            Q_EMIT finished(job->outcome());
    });
    connect(job, &Job::failed, this, [this, generation](const QString& error, bool cancelled) {
        if (generation == generation_ && !cancelled)
            Q_EMIT failed(error);
    });
    runningJob_ = runner_->start(job);
}

}  // namespace xbt::ui

#include "ui/workbench/StallDiagnostic.h"

#include "core/workspace/Workspace.h"
#include "ui/workbench/IndexPanel.h"
#include "ui/workbench/JobRunner.h"
#include "ui/workbench/WorkspaceJobs.h"
#include "ui/workbench/MainWindow.h"
#include "ui/workbench/MethodSettingsForm.h"
#include "ui/workbench/TrainPanel.h"
#include "core/pipeline/UpgradeSession.h"

#include <QTimer>

#include <algorithm>

namespace xbt::ui {

StallDiagnostic::StallDiagnostic(MainWindow* window, QObject* parent)
    : QObject(parent), window_(window), meter_(new EventLoopStallMeter(10, this)), idlePoll_(new QTimer(this)),
      trainings_{{QStringLiteral("lstsq"), nlohmann::json::object()},
                 // A fixed sigma skips the sigma search; 300 steps with three
                 // validations keep the live charts busy for a minute or so.
                 {QStringLiteral("xbt-stage1"),
                  {{"sigma", 0.1}, {"stage1_steps", 300}, {"validate_every", 100}, {"checkpoint_every", 0}}}}
{
    idlePoll_->setInterval(20);
    connect(idlePoll_, &QTimer::timeout, this, [this] {
        if (window_->jobs()->runningCount() > 0)
            return;
        idlePoll_->stop();
        std::function<void()> f = std::move(whenIdle_);
        whenIdle_ = nullptr;
        if (f)
            f();
    });
}

void StallDiagnostic::afterJobs(std::function<void()> f)
{
    whenIdle_ = std::move(f);
    idlePoll_->start();
}

bool StallDiagnostic::ok() const
{
    return !rows_.isEmpty() && std::all_of(rows_.begin(), rows_.end(), [](const Row& r) { return r.error.isEmpty(); });
}

void StallDiagnostic::start()
{
    rows_.clear();
    step_ = 0;
    const std::shared_ptr<UpgradeSession> session = window_->session();
    if (!session) {
        rows_.append({tr("setup"), {}, tr("no workspace is open: pass --workspace")});
        QTimer::singleShot(0, this, &StallDiagnostic::finished);
        return;
    }
    const UpgradeProfile profile = session->profile();
    if (profile.oldModel.empty() || profile.evalSplit.empty()) {
        rows_.append({tr("setup"), {},
                      tr("%1 has no upgrade.json with an eval_split: measure on the sample workspace "
                         "(xbt-workbench --build-sample)")
                          .arg(QString::fromStdString(session->dir()))});
        QTimer::singleShot(0, this, &StallDiagnostic::finished);
        return;
    }
    const QString split = QString::fromStdString(profile.evalSplitPath(session->dir()));
    const QString newModel = QString::fromStdString(profile.newModel);
    const QString probe = QString::fromLatin1(kProbeName);

    steps_.clear();
    // Leftovers of an interrupted run would make the indexing incremental
    // (nothing to embed) and the adapter name taken.
    steps_.push_back([this] { removeProbe([this] { next(); }); });
    steps_.push_back([this] {
        measure(tr("idle (no job), %1 s").arg(idleMs_ / 1000.0, 0, 'f', 1), [this] {
            QTimer::singleShot(idleMs_, this, [this] { phaseDone({}); });
            return QString();
        });
    });
    steps_.push_back([this, split, newModel, probe] {
        measure(tr("index the eval split (%1)").arg(newModel), [this, split, newModel, probe] {
            IndexPanel* index = window_->index();
            window_->showTab(QStringLiteral("index"));
            phaseConnections_.push_back(
                connect(index, &IndexPanel::galleryIndexed, this, [this] { phaseDone({}); }));
            phaseConnections_.push_back(connect(index, &IndexPanel::indexingFailed, this,
                                                [this](const QString& error) { phaseDone(error); }));
            index->setInputs(split, probe, newModel, split + QStringLiteral("/captions.tsv"));
            index->start();
            return index->running() ? QString() : tr("the Index panel did not start a job");
        });
    });
    for (const Training& training : trainings_) {
        steps_.push_back([this, probe, training] {
            QString job = tr("train %1").arg(training.method);
            for (const auto& [key, value] : training.settings.items())
                job += QStringLiteral(" %1=%2").arg(QString::fromStdString(key), QString::fromStdString(value.dump()));
            measure(job, [this, probe, training] {
                TrainPanel* train = window_->train();
                window_->showTab(QStringLiteral("train"));
                phaseConnections_.push_back(
                    connect(train, &TrainPanel::adapterTrained, this, [this] { phaseDone({}); }));
                phaseConnections_.push_back(connect(train, &TrainPanel::trainingFailed, this,
                                                    [this](const QString& error) { phaseDone(error); }));
                train->setMethod(training.method);
                for (const auto& [key, value] : training.settings.items())
                    train->settingsForm()->setValue(key, value);
                train->setAdapterName(probe + QLatin1Char('-') + training.method);
                train->start();
                return train->running() ? QString() : tr("the Train panel did not start a job (check its data fields)");
            });
        });
    }
    steps_.push_back([this] { removeProbe([this] { next(); }); });
    afterJobs([this] { next(); });
}

void StallDiagnostic::next()
{
    if (step_ >= steps_.size()) {
        Q_EMIT finished();
        return;
    }
    steps_[step_++]();
}

void StallDiagnostic::measure(const QString& job, const std::function<QString()>& begin)
{
    phase_ = job;
    phaseError_.clear();
    meter_->start();
    const QString error = begin();
    if (!error.isEmpty())
        phaseDone(error);
}

void StallDiagnostic::phaseDone(const QString& error)
{
    disconnectPhase();
    phaseError_ = error;
    // A job's end is when the window has taken in its result (the workspace
    // refreshed after indexing or training): no job of the runner is left.
    afterJobs([this] {
        meter_->stop();
        rows_.append({phase_, meter_->stats(), phaseError_});
        next();
    });
}

void StallDiagnostic::disconnectPhase()
{
    for (const QMetaObject::Connection& c : phaseConnections_)
        disconnect(c);
    phaseConnections_.clear();
}

void StallDiagnostic::removeProbe(const std::function<void()>& then)
{
    auto* job = new DeleteEntriesJob(window_->workspaceDir(), kProbeName);
    connect(job, &Job::succeeded, this, [this, job, then] {
        if (job->removedAny())
            window_->refresh();
        afterJobs(then);
    });
    connect(job, &Job::failed, this, [this, then](const QString& error) {
        rows_.append({tr("remove %1").arg(QString::fromLatin1(kProbeName)), {}, error});
        afterJobs(then);
    });
    window_->jobs()->start(job);
}

QString StallDiagnostic::table(const QList<Row>& rows)
{
    int width = 3;
    for (const Row& r : rows)
        width = std::max(width, static_cast<int>(r.job.size()));
    QString out = QStringLiteral("%1  %2  %3  %4  %5\n")
                      .arg(QStringLiteral("job"), -width)
                      .arg(QStringLiteral("duration s"), 10)
                      .arg(QStringLiteral("longest stall ms"), 16)
                      .arg(QStringLiteral("p99 stall ms"), 12)
                      .arg(QStringLiteral("ticks"), 6);
    for (const Row& r : rows) {
        out += QStringLiteral("%1  %2  %3  %4  %5\n")
                   .arg(r.job, -width)
                   .arg(r.stalls.seconds, 10, 'f', 1)
                   .arg(r.stalls.longestMs, 16, 'f', 1)
                   .arg(r.stalls.p99Ms, 12, 'f', 1)
                   .arg(r.stalls.ticks, 6);
        if (!r.error.isEmpty())
            out += QStringLiteral("    failed: %1\n").arg(r.error);
    }
    return out;
}

}  // namespace xbt::ui

#pragma once
// The workbench's units of engine work, one class each (see Job.h): what
// the panels start, by name, instead of writing work functions inline. Each
// holds its request (set on the GUI thread before it starts) and its result
// (read on the GUI thread after `succeeded`); run() is the only part that
// executes on a worker, and it goes through the UpgradeSession, exactly as
// the `xbt` command for the same work does.

#include "core/adapt/AdapterTraining.h"
#include "core/model/ModelOptions.h"
#include "core/pipeline/UpgradeSession.h"
#include "core/train/BaseModelTraining.h"
#include "ui/workbench/ExploreTypes.h"
#include "ui/workbench/Job.h"

#include <QImage>
#include <QSize>

#include <memory>
#include <string>
#include <vector>

namespace xbt::ui {

using SessionPtr = std::shared_ptr<UpgradeSession>;

// Opens a workspace (creating it when asked) and summarises it.
class OpenWorkspaceJob : public Job {
    Q_OBJECT
public:
    OpenWorkspaceJob(QString dir, ModelOptions options, bool create = false);
    void run(JobContext& context) override;
    SessionPtr session() const { return session_; }
    const WorkspaceSummary& summary() const { return summary_; }

private:
    std::string dir_;
    ModelOptions options_;
    bool create_;
    SessionPtr session_;
    WorkspaceSummary summary_;
};

// Reads the open workspace again (galleries or adapters changed on disk).
class RefreshWorkspaceJob : public Job {
    Q_OBJECT
public:
    explicit RefreshWorkspaceJob(SessionPtr session);
    void run(JobContext& context) override;
    const WorkspaceSummary& summary() const { return summary_; }

private:
    SessionPtr session_;
    WorkspaceSummary summary_;
};

// One query against every configuration, plus the query image's preview.
class CompareJob : public Job {
    Q_OBJECT
public:
    CompareJob(SessionPtr session, ComparisonQuery query, QSize previewSize);
    void run(JobContext& context) override;
    const ExploreOutcome& outcome() const { return outcome_; }

private:
    SessionPtr session_;
    ComparisonQuery query_;
    QSize previewSize_;
    ExploreOutcome outcome_;
};

class IndexJob : public Job {
    Q_OBJECT
public:
    IndexJob(SessionPtr session, IndexRequest request);
    void run(JobContext& context) override;
    const IndexRunSummary& summary() const { return summary_; }

private:
    SessionPtr session_;
    IndexRequest request_;
    IndexRunSummary summary_;
};

// Re-embeds part of a gallery with the new model (UpgradeSession::backfill,
// as `xbt backfill`); cancelling pauses it: the next run goes on.
class BackfillJob : public Job {
    Q_OBJECT
public:
    BackfillJob(SessionPtr session, BackfillRequest request);
    void run(JobContext& context) override;
    const BackfillSummary& summary() const { return summary_; }

private:
    SessionPtr session_;
    BackfillRequest request_;
    BackfillSummary summary_;
};

// Makes a fully backfilled model the gallery's (or swaps back: rollback).
class PromoteBackfillJob : public Job {
    Q_OBJECT
public:
    PromoteBackfillJob(SessionPtr session, std::string gallery);
    void run(JobContext& context) override;

private:
    SessionPtr session_;
    std::string gallery_;
};

class ImportJob : public Job {
    Q_OBJECT
public:
    ImportJob(SessionPtr session, ImportRequest request);
    void run(JobContext& context) override;
    const ImportRunSummary& summary() const { return summary_; }

private:
    SessionPtr session_;
    ImportRequest request_;
    ImportRunSummary summary_;
};

// Trains an adapter; each training report also arrives as `progressed`, on
// the GUI thread, for live charts.
class TrainJob : public Job {
    Q_OBJECT
public:
    TrainJob(SessionPtr session, AdapterTrainRequest request);
    void run(JobContext& context) override;
    const AdapterTrainResult& result() const { return result_; }

Q_SIGNALS:
    void progressed(const xbt::AdapterTrainProgress& progress);

private:
    SessionPtr session_;
    AdapterTrainRequest request_;
    AdapterTrainResult result_;
};

// Trains a built-in model from its recipe, as `xbt train-base` does: from the
// Train tab, a new model trained compatible with the old one. Each training
// step also arrives as `progressed`, on the GUI thread, for live charts.
class TrainBaseModelJob : public Job {
    Q_OBJECT
public:
    // An empty request.outDir trains into WS/models/<the recipe's name>.
    TrainBaseModelJob(QString workspaceDir, BaseTrainingRequest request);
    void run(JobContext& context) override;
    const BaseTrainingResult& result() const { return result_; }
    const SampleModelConfig& recipe() const { return recipe_; }
    const std::string& outDir() const { return request_.outDir; }

Q_SIGNALS:
    void progressed(const xbt::TrainProgress& progress);

private:
    std::string workspaceDir_;
    SampleModelConfig recipe_;
    BaseTrainingRequest request_;
    BaseTrainingResult result_;
};

// Points upgrade.json at other models (nothing changes when one fails to load).
class SwitchModelsJob : public Job {
    Q_OBJECT
public:
    SwitchModelsJob(SessionPtr session, std::string oldSpec, std::string newSpec, std::string oldGallery);
    void run(JobContext& context) override;
    const WorkspaceSummary& summary() const { return summary_; }

private:
    SessionPtr session_;
    std::string oldSpec_, newSpec_, oldGallery_;
    WorkspaceSummary summary_;
};

class BuildSampleWorkspaceJob : public Job {
    Q_OBJECT
public:
    explicit BuildSampleWorkspaceJob(QString dir);
    void run(JobContext& context) override;

private:
    std::string dir_;
};

// The demo list's text as it is on disk (empty when there is none yet).
class ReadDemoListJob : public Job {
    Q_OBJECT
public:
    ReadDemoListJob(QString workspaceDir, std::string file);
    void run(JobContext& context) override;
    const std::string& text() const { return text_; }

private:
    std::string file_;
    std::string text_;
};

class SaveDemoListJob : public Job {
    Q_OBJECT
public:
    SaveDemoListJob(SessionPtr session, std::string text);
    void run(JobContext& context) override;
    const std::vector<std::string>& queries() const { return queries_; }

private:
    SessionPtr session_;
    std::string text_;
    std::vector<std::string> queries_;
};

// Writes an image pasted as a query into the workspace's query cache.
class SaveQueryImageJob : public Job {
    Q_OBJECT
public:
    SaveQueryImageJob(QString workspaceDir, QImage image);
    void run(JobContext& context) override;
    const QString& file() const { return file_; }

private:
    QImage image_;
    QString file_;
};

// Deletes the galleries and adapters whose names start with `prefix`.
class DeleteEntriesJob : public Job {
    Q_OBJECT
public:
    DeleteEntriesJob(QString workspaceDir, std::string prefix);
    void run(JobContext& context) override;
    bool removedAny() const { return removed_; }

private:
    std::string prefix_;
    bool removed_ = false;
};

}  // namespace xbt::ui

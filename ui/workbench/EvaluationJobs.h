#pragma once
// The Evaluate tab's and demo mode's units of work (see Job.h): run an
// evaluation, write its files, and read the demo's headline numbers back from
// the newest evaluation on disk. Same contract as WorkspaceJobs.h: request
// set before start, result read after `succeeded`.

#include "core/eval/EvaluationResults.h"
#include "core/pipeline/EvaluationPipeline.h"
#include "ui/charts/EvaluationReport.h"
#include "ui/workbench/DemoHeadline.h"
#include "ui/workbench/Job.h"

#include <QStringList>

#include <memory>
#include <string>

namespace xbt {
class UpgradeSession;
}

namespace xbt::ui {

// Evaluates every configuration on the profile's evaluation split, exactly
// as `xbt eval` does.
class EvaluateJob : public Job {
    Q_OBJECT
public:
    explicit EvaluateJob(EvaluationRequest request);
    void run(JobContext& context) override;
    const EvaluationRun& result() const { return result_; }

private:
    EvaluationRequest request_;
    EvaluationRun result_;
};

// Writes an evaluation's files. The recall charts are Qt Charts and are
// rendered on the GUI thread before the job starts (renderReportRecallCharts).
class WriteEvaluationFilesJob : public Job {
    Q_OBJECT
public:
    enum class Files {
        All,         // what `xbt eval` writes into `target` (a folder)
        ChartPngs,   // the recall charts' PNGs into `target` (a folder)
        RecallCsv,   // recall.csv as the file `target`
    };
    WriteEvaluationFilesJob(QString title, Files files, std::shared_ptr<const EvaluationOutcome> outcome,
                            RecallChartImages charts, std::string target);
    void run(JobContext& context) override;
    const QStringList& written() const { return written_; }

private:
    Files files_;
    std::shared_ptr<const EvaluationOutcome> outcome_;
    RecallChartImages charts_;
    std::string target_;
    QStringList written_;
};

// The demo's headline: the newest evaluation of these two models, plus the
// gallery size and embedding speed.
class DemoHeadlineJob : public Job {
    Q_OBJECT
public:
    DemoHeadlineJob(std::shared_ptr<UpgradeSession> session, std::string adapter, std::string oldFingerprint,
                    std::string newFingerprint);
    void run(JobContext& context) override;
    const DemoHeadline& headline() const { return headline_; }

private:
    std::shared_ptr<UpgradeSession> session_;
    std::string adapter_, oldFingerprint_, newFingerprint_;
    DemoHeadline headline_;
};

}  // namespace xbt::ui

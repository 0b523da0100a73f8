#include "ui/workbench/EvaluationJobs.h"

#include "core/pipeline/UpgradeSession.h"
#include "core/eval/EvaluationFiles.h"
#include "core/util/FileUtil.h"
#include "core/util/Timestamp.h"
#include "ui/charts/EvaluationOutputs.h"
#include "ui/charts/EvaluationReport.h"
#include "ui/workbench/JobRunner.h"

#include <filesystem>

namespace xbt::ui {

EvaluateJob::EvaluateJob(EvaluationRequest request)
    : Job(tr("Evaluation"), QString::fromStdString(request.workspaceDir)), request_(std::move(request))
{
}

void EvaluateJob::run(JobContext& context)
{
    result_ = runEvaluation(request_, context.progress(), context.cancel());
    result_.outcome.command = "xbt-workbench Evaluate (" + request_.workspaceDir + ")";
    result_.outcome.date = utcTimestamp();
}

WriteEvaluationFilesJob::WriteEvaluationFilesJob(QString title, Files files,
                                                 std::shared_ptr<const EvaluationOutcome> outcome,
                                                 RecallChartImages charts, std::string target)
    : Job(std::move(title)), files_(files), outcome_(std::move(outcome)), charts_(std::move(charts)),
      target_(std::move(target))
{
}

void WriteEvaluationFilesJob::run(JobContext&)
{
    switch (files_) {
    case Files::All:
        for (const std::string& file : writeEvaluationOutputs(*outcome_, charts_, target_).all())
            written_ << QString::fromStdString(file);
        break;
    case Files::ChartPngs:
        createDirectories(target_);
        for (auto it = charts_.begin(); it != charts_.end(); ++it) {
            const std::string path = (std::filesystem::path(target_) / it.key().toStdString()).string();
            writeChartPng(it.value(), path);
            written_ << QString::fromStdString(path);
        }
        break;
    case Files::RecallCsv:
        writeFileAtomic(target_, evaluationRecallCsv(*outcome_));
        written_ << QString::fromStdString(target_);
        break;
    }
}

DemoHeadlineJob::DemoHeadlineJob(std::shared_ptr<UpgradeSession> session, std::string adapter,
                                 std::string oldFingerprint, std::string newFingerprint)
    : Job(tr("Demo headline"), QString::fromStdString(session->dir())), session_(std::move(session)),
      adapter_(std::move(adapter)), oldFingerprint_(std::move(oldFingerprint)), newFingerprint_(std::move(newFingerprint))
{
}

void DemoHeadlineJob::run(JobContext&)
{
    headline_ = loadDemoHeadline(*session_, adapter_, oldFingerprint_, newFingerprint_);
}

}  // namespace xbt::ui

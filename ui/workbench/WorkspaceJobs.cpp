#include "ui/workbench/WorkspaceJobs.h"

#include <filesystem>

#include "core/pipeline/SampleWorkspace.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/workspace/DemoQueryList.h"
#include "core/workspace/Workspace.h"
#include "ui/workbench/JobRunner.h"

#include <QBuffer>
#include <QImageReader>
#include <QPointer>

namespace xbt::ui {

namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

OpenWorkspaceJob::OpenWorkspaceJob(QString dir, ModelOptions options, bool create)
    : Job(tr("Opening workspace"), dir), dir_(dir.toStdString()), options_(std::move(options)), create_(create)
{
}

void OpenWorkspaceJob::run(JobContext&)
{
    session_ = std::make_shared<UpgradeSession>(
        dir_, options_, create_ ? UpgradeSession::Open::CreateIfMissing : UpgradeSession::Open::Existing);
    summary_ = session_->summarize();
}

RefreshWorkspaceJob::RefreshWorkspaceJob(SessionPtr session)
    : Job(tr("Refreshing workspace"), q(session->dir())), session_(std::move(session))
{
}

void RefreshWorkspaceJob::run(JobContext&)
{
    session_->invalidate();
    summary_ = session_->summarize();
}

CompareJob::CompareJob(SessionPtr session, ComparisonQuery query, QSize previewSize)
    : Job(query.isImage() ? tr("Image query") : tr("Text query"), q(session->dir())), session_(std::move(session)),
      query_(std::move(query)), previewSize_(previewSize)
{
}

void CompareJob::run(JobContext& context)
{
    static_cast<Comparison&>(outcome_) = session_->compare(query_, context.cancel());
    // Decoding the user's picture (possibly many megapixels) is disk and
    // CPU work: it happens here, never on the GUI thread.
    if (query_.isImage()) {
        requireRegularFile(query_.imagePath);  // QImageReader would block on a FIFO
        QImageReader reader(q(query_.imagePath));
        reader.setAutoTransform(true);
        const QSize full = reader.size();
        if (full.isValid())
            reader.setScaledSize(full.scaled(previewSize_, Qt::KeepAspectRatio));
        outcome_.queryPreview = reader.read();
    }
}

IndexJob::IndexJob(SessionPtr session, IndexRequest request)
    : Job(tr("Indexing %1").arg(q(request.run.gallery)), q(session->dir())), session_(std::move(session)),
      request_(std::move(request))
{
}

void IndexJob::run(JobContext& context)
{
    summary_ = session_->index(request_, context.progress(), context.cancel());
}

BackfillJob::BackfillJob(SessionPtr session, BackfillRequest request)
    : Job(tr("Backfilling %1").arg(q(request.run.gallery)), q(session->dir())), session_(std::move(session)),
      request_(std::move(request))
{
}

void BackfillJob::run(JobContext& context)
{
    summary_ = session_->backfill(request_, context.progress(), context.cancel());
}

PromoteBackfillJob::PromoteBackfillJob(SessionPtr session, std::string gallery)
    : Job(tr("Promoting the backfilled model of %1").arg(q(gallery)), q(session->dir())), session_(std::move(session)),
      gallery_(std::move(gallery))
{
}

void PromoteBackfillJob::run(JobContext&) { session_->promoteBackfill(gallery_); }

ImportJob::ImportJob(SessionPtr session, ImportRequest request)
    : Job(tr("Importing into %1").arg(q(request.run.gallery)), q(session->dir())), session_(std::move(session)),
      request_(std::move(request))
{
}

void ImportJob::run(JobContext& context) { summary_ = session_->importEmbeddings(request_, context.progress()); }

TrainJob::TrainJob(SessionPtr session, AdapterTrainRequest request)
    : Job(tr("Training %1").arg(q(request.name)), q(session->dir())), session_(std::move(session)),
      request_(std::move(request))
{
}

TrainBaseModelJob::TrainBaseModelJob(QString workspaceDir, BaseTrainingRequest request)
    : Job(tr("Training a compatible model (%1)").arg(q(request.compatibility)), workspaceDir),
      workspaceDir_(workspaceDir.toStdString()), request_(std::move(request))
{
}

void TrainBaseModelJob::run(JobContext& context)
{
    // The recipe reads its file and loads the old model (for its size): here, off the GUI thread.
    recipe_ = recipeFor(request_);
    if (request_.outDir.empty())
        request_.outDir = (std::filesystem::path(workspaceDir_) / "models" / recipe_.name).string();
    const ProgressCallback bar = context.progress();
    QPointer<TrainBaseModelJob> self(this);
    const double batch = recipe_.training.batchSize;
    result_ = trainBaseModel(
        recipe_, request_,
        [&context, bar, self, batch](const TrainProgress& p) {
            const double eta = p.samplesPerSecond > 0
                                   ? static_cast<double>(p.totalSteps - p.step) * batch / p.samplesPerSecond
                                   : -1.0;
            bar(Progress{"training", p.step, p.totalSteps, p.samplesPerSecond / batch, eta, p.device});
            context.post([self, p] {
                if (self)
                    Q_EMIT self->progressed(p);
            });
        },
        bar, context.cancel());
}

void TrainJob::run(JobContext& context)
{
    const ProgressCallback bar = context.progress();
    QPointer<TrainJob> self(this);
    result_ = session_->train(
        request_,
        [&context, bar, self](const AdapterTrainProgress& p) {
            bar(Progress{p.stage, p.step, p.totalSteps, p.samplesPerSecond, -1.0, p.message});
            context.post([self, p] {
                if (self)
                    Q_EMIT self->progressed(p);
            });
        },
        context.cancel());
}

SwitchModelsJob::SwitchModelsJob(SessionPtr session, std::string oldSpec, std::string newSpec, std::string oldGallery)
    : Job(tr("Switching models"), q(session->dir())), session_(std::move(session)), oldSpec_(std::move(oldSpec)),
      newSpec_(std::move(newSpec)), oldGallery_(std::move(oldGallery))
{
}

void SwitchModelsJob::run(JobContext&)
{
    session_->switchModels(oldSpec_, newSpec_, oldGallery_);
    summary_ = session_->summarize();
}

BuildSampleWorkspaceJob::BuildSampleWorkspaceJob(QString dir)
    : Job(tr("Building the sample workspace"), dir), dir_(dir.toStdString())
{
}

void BuildSampleWorkspaceJob::run(JobContext& context)
{
    SampleWorkspaceOptions o;
    o.device = "auto";
    buildSampleWorkspace(dir_, o, context.progress(), context.cancel());
}

ReadDemoListJob::ReadDemoListJob(QString workspaceDir, std::string file)
    : Job(tr("Reading the demo list"), std::move(workspaceDir)), file_(std::move(file))
{
}

void ReadDemoListJob::run(JobContext&) { text_ = readDemoQueriesText(file_); }

SaveDemoListJob::SaveDemoListJob(SessionPtr session, std::string text)
    : Job(tr("Saving the demo list"), q(session->dir())), session_(std::move(session)), text_(std::move(text))
{
}

void SaveDemoListJob::run(JobContext&)
{
    saveDemoQueries(session_->dir(), text_);
    // upgrade.json may point at the list now.
    session_->reloadProfile();
    queries_ = parseDemoQueries(text_);
}

SaveQueryImageJob::SaveQueryImageJob(QString workspaceDir, QImage image)
    : Job(tr("Saving the pasted image"), workspaceDir), image_(std::move(image))
{
}

void SaveQueryImageJob::run(JobContext&)
{
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    if (!image_.save(&buffer, "PNG"))
        throw Error("the pasted image could not be encoded as PNG");
    const WorkspaceLayout layout(workspaceDir().toStdString());
    ensureRealFolder(layout.queryCacheDir(), "the workspace's own folders must be real folders inside it");
    const std::string file = layout.queryCacheDir() + "/pasted-query.png";
    writeFileAtomic(file, png.toStdString());
    file_ = q(file);
}

DeleteEntriesJob::DeleteEntriesJob(QString workspaceDir, std::string prefix)
    : Job(tr("Removing %1*").arg(q(prefix)), std::move(workspaceDir)), prefix_(std::move(prefix))
{
}

void DeleteEntriesJob::run(JobContext&)
{
    Workspace ws = Workspace::open(workspaceDir().toStdString(), Workspace::Mode::ReadWrite);
    const auto matches = [&](const std::string& name) { return name.rfind(prefix_, 0) == 0; };
    for (const std::string& gallery : ws.galleries())
        if (matches(gallery)) {
            ws.deleteGallery(gallery);
            removed_ = true;
        }
    for (const std::string& adapter : ws.adapters())
        if (matches(adapter)) {
            ws.deleteAdapter(adapter);
            removed_ = true;
        }
}

}  // namespace xbt::ui

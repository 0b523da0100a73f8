#include "ui/workbench/ExploreSearcher.h"

#include "core/util/FileUtil.h"

#include "ui/workbench/JobRunner.h"
#include "core/pipeline/UpgradeSession.h"

#include <QImageReader>

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
    std::shared_ptr<UpgradeSession> session = session_;
    runningJob_ = runner_->run(
        this, query.isImage() ? tr("Image query") : tr("Text query"),
        [session, query, previewSize = previewSize_](JobContext& ctx) {
            ExploreOutcome outcome;
            static_cast<Comparison&>(outcome) = session->compare(query, ctx.cancel());
            // Decoding the user's picture (possibly many megapixels) is disk
            // and CPU work: it happens here, never on the GUI thread.
            if (query.isImage()) {
                requireRegularFile(query.imagePath);  // QImageReader would block on a FIFO
                QImageReader reader(QString::fromStdString(query.imagePath));
                reader.setAutoTransform(true);
                const QSize full = reader.size();
                if (full.isValid())
                    reader.setScaledSize(full.scaled(previewSize, Qt::KeepAspectRatio));
                outcome.queryPreview = reader.read();
            }
            return outcome;
        },
        [this, generation](const ExploreOutcome& outcome) {
            if (generation == generation_)
                Q_EMIT finished(outcome);
        },
        [this, generation](const QString& error, bool cancelled) {
            if (generation == generation_ && !cancelled)
                Q_EMIT failed(error);
        });
}

}  // namespace xbt::ui

#include "ui/workbench/JobProgressView.h"

#include "ui/workbench/JobRunner.h"
#include "ui/workbench/ProgressBarValue.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>

namespace xbt::ui {

JobProgressView::JobProgressView(JobRunner* runner, QWidget* parent)
    : QWidget(parent), label_(new QLabel), bar_(new QProgressBar)
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(bar_, 1);
    layout->addWidget(label_, 2);
    bar_->setTextVisible(false);
    setVisible(false);
    connect(runner, &JobRunner::jobProgress, this, &JobProgressView::onProgress);
    connect(runner, &JobRunner::jobFinished, this, [this](int id) {
        if (id != job_)
            return;
        job_ = 0;
        setVisible(false);
    });
}

void JobProgressView::follow(int id, const QString& title)
{
    job_ = id;
    title_ = title;
    label_->setText(title);
    bar_->setRange(0, 0);  // busy until the first report
    setVisible(id != 0);
}

QString JobProgressView::text() const { return label_->text(); }

void JobProgressView::onProgress(int id, const QString& stage, qint64 done, qint64 total, const QString& detail)
{
    if (id != job_)
        return;
    QString text = stage.isEmpty() ? title_ : stage;
    if (total > 0)
        text += tr(": %1 of %2").arg(done).arg(total);
    else if (done > 0)
        text += QStringLiteral(": %1").arg(done);
    if (!detail.isEmpty())
        text += QStringLiteral("  ") + detail;  // "12.3/s  ETA 40 s"
    label_->setText(text);
    showJobProgress(bar_, done, total);
}

}  // namespace xbt::ui

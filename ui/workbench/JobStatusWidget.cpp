#include "ui/workbench/JobStatusWidget.h"

#include "ui/workbench/JobRunner.h"
#include "ui/workbench/ProgressBarValue.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

namespace xbt::ui {

JobStatusWidget::JobStatusWidget(JobRunner* runner, QWidget* parent)
    : QWidget(parent), runner_(runner), label_(new QLabel), bar_(new QProgressBar), cancel_(new QPushButton(tr("Cancel")))
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    label_->setMinimumWidth(200);
    bar_->setFixedWidth(180);
    bar_->setTextVisible(true);
    layout->addWidget(label_, 1);
    layout->addWidget(bar_);
    layout->addWidget(cancel_);
    setVisible(false);
    connect(runner, &JobRunner::jobStarted, this, &JobStatusWidget::onStarted);
    connect(runner, &JobRunner::jobProgress, this, &JobStatusWidget::onProgress);
    connect(runner, &JobRunner::jobFinished, this, [this](int id) { onFinished(id); });
    connect(cancel_, &QPushButton::clicked, this, [this] {
        if (!running_.isEmpty())
            runner_->cancel(running_.last());
        cancel_->setEnabled(false);
        label_->setText(label_->text() + tr(" (cancelling...)"));
    });
}

void JobStatusWidget::onStarted(int id, const QString& title)
{
    running_.append(id);
    titles_.insert(id, title);
    label_->setText(title);
    bar_->setRange(0, 0);  // busy until the first progress report
    cancel_->setEnabled(true);
    setVisible(true);
}

void JobStatusWidget::onProgress(int id, const QString& stage, qint64 done, qint64 total, const QString& detail)
{
    if (running_.isEmpty() || running_.last() != id)
        return;
    QString text = titles_.value(id);
    if (!stage.isEmpty())
        text += QStringLiteral(": ") + stage;
    if (total > 0)
        text += QStringLiteral(" %1/%2").arg(done).arg(total);
    if (!detail.isEmpty())
        text += QStringLiteral("  ") + detail;
    label_->setText(text);
    showJobProgress(bar_, done, total);
}

void JobStatusWidget::onFinished(int id)
{
    running_.removeAll(id);
    titles_.remove(id);
    if (running_.isEmpty()) {
        setVisible(false);
        return;
    }
    label_->setText(titles_.value(running_.last()));
    bar_->setRange(0, 0);
    cancel_->setEnabled(true);
}

}  // namespace xbt::ui

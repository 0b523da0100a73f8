#include "ui/workbench/IndexPanel.h"

#include "core/gallery/GalleryIndexer.h"
#include "core/gallery/Workspace.h"
#include "core/model/EmbeddingModel.h"
#include "core/model/ModelLoader.h"
#include "ui/workbench/JobRunner.h"
#include "ui/workbench/WorkspaceSession.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace xbt::ui {

IndexPanel::IndexPanel(JobRunner* runner, QWidget* parent)
    : QWidget(parent), runner_(runner), folder_(new QLineEdit), gallery_(new QLineEdit(QStringLiteral("default"))),
      model_(new QComboBox), captions_(new QLineEdit), start_(new QPushButton(tr("Index"))),
      cancel_(new QPushButton(tr("Cancel"))), summary_(new QLabel), failures_(new QTableWidget(0, 2))
{
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    auto* folderRow = new QHBoxLayout;
    auto* browse = new QToolButton;
    browse->setText(QStringLiteral("..."));
    folderRow->addWidget(folder_, 1);
    folderRow->addWidget(browse);
    form->addRow(tr("Image folder"), folderRow);
    gallery_->setToolTip(tr("The gallery to create or update: only new and changed files are embedded"));
    form->addRow(tr("Gallery"), gallery_);
    model_->setEditable(true);
    model_->setToolTip(tr("A built-in model name, a TorchScript archive or a folder holding one"));
    form->addRow(tr("Model"), model_);
    captions_->setToolTip(tr("Optional captions file (tsv, txt sidecars, CSV, COCO or Flickr) for the caption gallery"));
    form->addRow(tr("Captions"), captions_);
    layout->addLayout(form);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(start_);
    buttons->addWidget(cancel_);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    summary_->setWordWrap(true);
    layout->addWidget(summary_);
    failures_->setHorizontalHeaderLabels({tr("file"), tr("why it failed")});
    failures_->horizontalHeader()->setStretchLastSection(true);
    failures_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    failures_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(new QLabel(tr("Files that could not be indexed:")));
    layout->addWidget(failures_, 1);
    cancel_->setEnabled(false);

    connect(browse, &QToolButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Image folder"), folder_->text());
        if (!dir.isEmpty())
            folder_->setText(dir);
    });
    connect(start_, &QPushButton::clicked, this, &IndexPanel::start);
    connect(cancel_, &QPushButton::clicked, this, [this] {
        if (job_)
            runner_->cancel(job_);
    });
}

void IndexPanel::setSession(std::shared_ptr<WorkspaceSession> session, const WorkspaceSummary& summary)
{
    session_ = std::move(session);
    model_->clear();
    for (const std::string& spec : {summary.profile.oldModel, summary.profile.newModel})
        if (!spec.empty())
            model_->addItem(QString::fromStdString(spec));
}

void IndexPanel::setInputs(const QString& folder, const QString& gallery, const QString& modelSpec, const QString& captions)
{
    folder_->setText(folder);
    gallery_->setText(gallery);
    model_->setCurrentText(modelSpec);
    captions_->setText(captions);
}

void IndexPanel::start()
{
    if (!session_ || job_)
        return;
    IndexRunOptions options;
    options.root = folder_->text().toStdString();
    options.gallery = gallery_->text().trimmed().toStdString();
    options.modelSpec = model_->currentText().trimmed().toStdString();
    options.captionsFile = captions_->text().trimmed().toStdString();
    options.captionsLenient = true;
    const std::string dir = session_->dir();
    const ModelOptions modelOptions = session_->modelOptions();
    start_->setEnabled(false);
    cancel_->setEnabled(true);
    failures_->setRowCount(0);
    summary_->setText(tr("Indexing %1 into '%2' ...").arg(folder_->text(), gallery_->text()));
    job_ = runner_->run(
        this, tr("Indexing %1").arg(gallery_->text()),
        [dir, options, modelOptions](JobContext& ctx) {
            // The writer lock is held for this run only: searches keep reading.
            Workspace ws = Workspace::open(dir, Workspace::Mode::ReadWrite);
            std::unique_ptr<EmbeddingModel> model = loadModel(options.modelSpec, modelOptions);
            return GalleryIndexer(ws, *model, options).run(ctx.progress(), ctx.cancel());
        },
        [this](const IndexRunSummary& s) {
            job_ = 0;
            start_->setEnabled(true);
            cancel_->setEnabled(false);
            summary_->setText(tr("%1: scanned %2, added %3, changed %4, unchanged %5, removed %6, failed %7 in %8 s "
                                 "(%9 images/s)%10")
                                  .arg(QString::fromStdString(s.gallery))
                                  .arg(s.scanned)
                                  .arg(s.added)
                                  .arg(s.changed)
                                  .arg(s.unchanged)
                                  .arg(s.removed)
                                  .arg(s.failures.size())
                                  .arg(s.seconds, 0, 'f', 1)
                                  .arg(s.imagesPerSecond, 0, 'f', 1)
                                  .arg(s.cancelled ? tr(". Cancelled: %1 files left for the next run.").arg(s.remaining)
                                                   : QString()));
            failures_->setRowCount(static_cast<int>(s.failures.size()));
            for (size_t i = 0; i < s.failures.size(); ++i) {
                failures_->setItem(static_cast<int>(i), 0, new QTableWidgetItem(QString::fromStdString(s.failures[i].path)));
                failures_->setItem(static_cast<int>(i), 1,
                                   new QTableWidgetItem(QString::fromStdString(s.failures[i].reason) +
                                                        (s.failures[i].earlier ? tr(" (earlier run)") : QString())));
            }
            Q_EMIT galleryIndexed(QString::fromStdString(s.gallery));
        },
        [this](const QString& error, bool cancelled) {
            job_ = 0;
            start_->setEnabled(true);
            cancel_->setEnabled(false);
            summary_->setText(cancelled ? tr("Cancelled.") : tr("Indexing failed: %1").arg(error));
            Q_EMIT indexingFailed(error, cancelled);
        });
}

}  // namespace xbt::ui

#include "ui/workbench/IndexPanel.h"

#include "core/data/CaptionSources.h"
#include "core/pipeline/UpgradeSession.h"
#include "ui/workbench/JobProgressView.h"
#include "ui/workbench/JobRunner.h"
#include "ui/workbench/WorkspaceJobs.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace xbt::ui {

namespace {

QString q(const std::string& s) { return QString::fromStdString(s); }

// A line edit with buttons that fill it from a file or a folder dialog.
QHBoxLayout* pathRow(QWidget* parent, QLineEdit* edit, const QString& title, bool files, bool folders)
{
    auto* row = new QHBoxLayout;
    row->addWidget(edit, 1);
    const auto addButton = [&](const QString& text, bool folder) {
        auto* b = new QToolButton;
        b->setText(text);
        row->addWidget(b);
        QObject::connect(b, &QToolButton::clicked, parent, [=] {
            const QString chosen = folder ? QFileDialog::getExistingDirectory(parent, title, edit->text())
                                          : QFileDialog::getOpenFileName(parent, title, edit->text());
            if (!chosen.isEmpty())
                edit->setText(chosen);
        });
    };
    if (files)
        addButton(QObject::tr("File..."), false);
    if (folders)
        addButton(QObject::tr("Folder..."), true);
    return row;
}

}  // namespace

IndexPanel::IndexPanel(JobRunner* runner, QWidget* parent)
    : QWidget(parent), runner_(runner), folder_(new QLineEdit), gallery_(new QComboBox), model_(new QComboBox),
      adapter_(new QComboBox),
      captions_(new QLineEdit), captionFormat_(new QComboBox),
      sideInformation_(new QCheckBox(tr("Store side information"))), start_(new QPushButton(tr("Index / update"))),
      importSource_(new QLineEdit), importPaths_(new QLineEdit), normalize_(new QCheckBox(tr("Normalise rows"))),
      acceptDisagreement_(new QCheckBox(tr("Import even if they disagree"))), checkSamples_(new QSpinBox), import_(new QPushButton(tr("Import"))),
      backfillOrder_(new QComboBox), backfillBudget_(new QLineEdit), backfillSeed_(new QSpinBox),
      backfill_(new QPushButton(tr("Backfill"))), promote_(new QPushButton(tr("Promote"))), backfillStatus_(new QLabel),
      cancel_(new QPushButton(tr("Cancel"))),
      progress_(new JobProgressView(runner)), summary_(new QLabel), failures_(new QTableWidget(0, 2))
{
    auto* layout = new QVBoxLayout(this);

    // Where the items go: shared by indexing and import.
    auto* target = new QFormLayout;
    gallery_->setEditable(true);
    gallery_->setToolTip(tr("The gallery to create or update. Indexing an existing gallery again embeds only new and "
                            "changed files and drops the rows of deleted ones."));
    target->addRow(tr("Gallery"), gallery_);
    model_->setEditable(true);
    model_->setToolTip(tr("A built-in model name, a TorchScript archive or a folder holding one. A gallery only takes "
                          "the model that built it."));
    target->addRow(tr("Model"), model_);
    adapter_->setToolTip(tr("Put new images into an old model's gallery through the new model and this query "
                            "adapter (choose the new model above), as `xbt index --adapter` does"));
    target->addRow(tr("Through adapter"), adapter_);
    folder_->setToolTip(tr("The image folder; for an import, the folder the listed paths are relative to (empty: the "
                           "existing gallery's)"));
    target->addRow(tr("Image folder"), pathRow(this, folder_, tr("Image folder"), false, true));
    layout->addLayout(target);

    auto* index = new QGroupBox(tr("Index the folder"));
    auto* indexForm = new QFormLayout(index);
    captions_->setToolTip(tr("Optional: a caption file, or the image folder for sidecar .txt files; it fills the "
                             "caption gallery (image-to-text search, ground truth)"));
    indexForm->addRow(tr("Captions"), pathRow(this, captions_, tr("Caption source"), true, true));
    for (CaptionFormat f : {CaptionFormat::Auto, CaptionFormat::CaptionsTsv, CaptionFormat::SidecarText,
                            CaptionFormat::Csv, CaptionFormat::CocoJson, CaptionFormat::FlickrToken})
        captionFormat_->addItem(q(captionFormatName(f)));
    captionFormat_->setToolTip(tr("How the captions are read (docs/data-formats.md); auto decides from the file's name "
                                  "and first line"));
    auto* indexRow = new QHBoxLayout;
    indexRow->addWidget(captionFormat_);
    indexRow->addStretch(1);
    sideInformation_->setToolTip(tr("Also keep a small model-free vector per image (its colour layout) and per caption "
                                    "(its hashed words), 64 numbers each, for a future FCT gallery transform trained "
                                    "with side_information (`xbt index --side-information`). Once on, the gallery "
                                    "keeps doing it; items already indexed get theirs without being embedded again."));
    indexRow->addWidget(sideInformation_);
    indexRow->addWidget(start_);
    indexForm->addRow(tr("Caption format"), indexRow);
    start_->setToolTip(tr("Embed the folder's new and changed images with the model (incremental)"));
    layout->addWidget(index);

    auto* import = new QGroupBox(tr("Import existing embeddings"));
    auto* importForm = new QFormLayout(import);
    importSource_->setToolTip(tr("An .npy matrix (as `xbt embed` writes) or a clip-retrieval output folder "
                                 "(img_emb/ + metadata/)"));
    importForm->addRow(tr("Embeddings"), pathRow(this, importSource_, tr("Embeddings to import"), true, true));
    importPaths_->setPlaceholderText(tr("<embeddings>.txt"));
    importPaths_->setToolTip(tr("For an .npy: the image path of each row, one per line, in row order"));
    importForm->addRow(tr("Row listing"), pathRow(this, importPaths_, tr("Row listing"), true, false));
    checkSamples_->setRange(0, 10000);
    checkSamples_->setValue(16);
    checkSamples_->setToolTip(tr("Images embedded again with the model and compared with the imported rows (0 skips "
                                 "the check)"));
    normalize_->setToolTip(tr("Scale rows that are not unit length instead of refusing them"));
    auto* importRow = new QHBoxLayout;
    importRow->addWidget(new QLabel(tr("Check")));
    importRow->addWidget(checkSamples_);
    importRow->addWidget(normalize_);
    acceptDisagreement_->setToolTip(tr("Import rows the check finds different from the model's embeddings anyway, "
                                       "marked as disagreeing (by default they are refused)"));
    importRow->addWidget(acceptDisagreement_);
    importRow->addStretch(1);
    importRow->addWidget(import_);
    import_->setToolTip(tr("Add the rows to the gallery, as `xbt import` does (an import cannot be cancelled)"));
    importForm->addRow(QString(), importRow);
    layout->addWidget(import);

    auto* backfillBox = new QGroupBox(tr("Backfill with the new model"));
    auto* backfillForm = new QFormLayout(backfillBox);
    for (BackfillOrder o : {BackfillOrder::Random, BackfillOrder::Crowding, BackfillOrder::Queries})
        backfillOrder_->addItem(q(backfillOrderName(o)));
    backfillOrder_->setToolTip(tr("Which images first: random (a seeded shuffle); uncertainty: those in the most "
                                  "crowded old neighbourhoods; queries: those most often in the top 10 of the demo "
                                  "query list"));
    backfillBudget_->setPlaceholderText(tr("all"));
    backfillBudget_->setMaximumWidth(90);
    backfillBudget_->setToolTip(tr("How much of the gallery should be backfilled when the run ends: a number of images "
                                   "or a share such as 25% (empty: all of it)"));
    backfillSeed_->setRange(0, 1000000);
    backfillSeed_->setToolTip(tr("Seed of the random order"));
    backfill_->setToolTip(tr("Re-embed the gallery's images with the new model into its new-model store, in the "
                             "order, up to the budget (as `xbt backfill`). Cancel pauses; Backfill again goes on. "
                             "The gallery stays searchable meanwhile."));
    promote_->setToolTip(tr("Once every image is backfilled: make the new model the gallery's own (searches go "
                            "new -> new, no adapter). The old embeddings are kept: Promote again swaps back."));
    auto* backfillRow = new QHBoxLayout;
    backfillRow->addWidget(new QLabel(tr("Order")));
    backfillRow->addWidget(backfillOrder_);
    backfillRow->addWidget(new QLabel(tr("Budget")));
    backfillRow->addWidget(backfillBudget_);
    backfillRow->addWidget(new QLabel(tr("Seed")));
    backfillRow->addWidget(backfillSeed_);
    backfillRow->addStretch(1);
    backfillRow->addWidget(backfill_);
    backfillRow->addWidget(promote_);
    backfillForm->addRow(backfillRow);
    backfillStatus_->setWordWrap(true);
    backfillForm->addRow(backfillStatus_);
    layout->addWidget(backfillBox);

    auto* jobRow = new QHBoxLayout;
    jobRow->addWidget(progress_, 1);
    jobRow->addWidget(cancel_);
    layout->addLayout(jobRow);
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(summary_);
    failures_->setHorizontalHeaderLabels({tr("file"), tr("why")});
    failures_->horizontalHeader()->setStretchLastSection(true);
    failures_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    failures_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(new QLabel(tr("Files that could not be used:")));
    layout->addWidget(failures_, 1);
    cancel_->setEnabled(false);

    // Picking an existing gallery fills in what it was built from.
    connect(gallery_, &QComboBox::textActivated, this, &IndexPanel::fillFromGallery);
    connect(start_, &QPushButton::clicked, this, &IndexPanel::start);
    connect(import_, &QPushButton::clicked, this, &IndexPanel::startImport);
    connect(backfill_, &QPushButton::clicked, this, &IndexPanel::startBackfill);
    connect(promote_, &QPushButton::clicked, this, &IndexPanel::promote);
    connect(gallery_, &QComboBox::currentTextChanged, this, &IndexPanel::showBackfillStatus);
    connect(cancel_, &QPushButton::clicked, this, &IndexPanel::cancel);
}

void IndexPanel::setSession(std::shared_ptr<UpgradeSession> session, const WorkspaceSummary& summary)
{
    session_ = std::move(session);
    galleries_ = summary.galleryDetails;
    const QString gallery = gallery_->currentText();
    const QString model = model_->currentText();
    const QString adapter = adapter_->currentText();
    gallery_->clear();
    for (const std::string& g : summary.galleries)
        gallery_->addItem(q(g));
    gallery_->setCurrentText(gallery.isEmpty() ? q(summary.profile.oldGallery) : gallery);
    model_->clear();
    for (const std::string& spec : {summary.profile.oldModel, summary.profile.newModel})
        if (!spec.empty())
            model_->addItem(q(spec));
    if (!model.isEmpty())
        model_->setCurrentText(model);
    adapter_->clear();
    adapter_->addItem(tr("(none)"));
    for (const std::string& a : summary.queryAdapters)
        adapter_->addItem(q(a));
    const int kept = adapter_->findText(adapter);
    adapter_->setCurrentIndex(kept >= 0 ? kept : 0);
    if (folder_->text().isEmpty())
        fillFromGallery(gallery_->currentText());
    newModel_ = q(summary.profile.newModel);
    showBackfillStatus();
}

void IndexPanel::showBackfillStatus()
{
    QString text = newModel_.isEmpty() ? tr("Choose the new model in the Models tab to backfill.")
                                       : tr("New model: %1. ").arg(newModel_);
    for (const GalleryOverview& g : galleries_) {
        if (q(g.name) != gallery_->currentText() || !g.error.empty())
            continue;
        if (!g.secondSpace)
            text += tr("Gallery '%1' (%2) has no new-model store yet.").arg(q(g.name), q(g.settings.modelName));
        else if (g.secondSpace->retired)
            text += tr("Gallery '%1' searches with %2; %3's embeddings are kept for rollback (Promote swaps back).")
                        .arg(q(g.name), q(g.settings.modelName), q(g.secondSpace->modelName));
        else
            text += tr("New-model store of '%1': %2 of %3 images by %4 (%5%).")
                        .arg(q(g.name))
                        .arg(g.secondSpaceCounts.images)
                        .arg(g.counts.embedded)
                        .arg(q(g.secondSpace->modelName))
                        .arg(g.counts.embedded > 0 ? 100.0 * static_cast<double>(g.secondSpaceCounts.images) /
                                                         static_cast<double>(g.counts.embedded)
                                                   : 0.0,
                             0, 'f', 1);
    }
    backfillStatus_->setText(text);
    backfill_->setEnabled(!newModel_.isEmpty() && job_ == 0);
}

QString IndexPanel::backfillStatus() const { return backfillStatus_->text(); }

void IndexPanel::setBackfillInputs(const QString& order, const QString& budget, int seed)
{
    backfillOrder_->setCurrentText(order);
    backfillBudget_->setText(budget);
    backfillSeed_->setValue(seed);
}

void IndexPanel::startBackfill()
{
    if (!session_ || job_)
        return;
    BackfillRequest request;
    try {
        request.run.order = parseBackfillOrder(backfillOrder_->currentText().toStdString());
        request.run.budget = parseBackfillBudget(backfillBudget_->text().trimmed().toStdString());
    } catch (const std::exception& e) {
        summary_->setText(tr("Cannot backfill: %1").arg(QString::fromUtf8(e.what())));
        return;
    }
    request.run.gallery = gallery_->currentText().trimmed().toStdString();
    request.run.seed = static_cast<uint64_t>(backfillSeed_->value());
    request.modelSpec = newModel_.toStdString();
    auto* job = new BackfillJob(session_, request);
    summary_->setText(tr("Backfilling '%1' with %2 ...").arg(gallery_->currentText(), newModel_));
    connect(job, &Job::succeeded, this, [this, job] {
        finished();
        summary_->setText(q(describeBackfill(job->summary())));
        Q_EMIT galleryIndexed(q(job->summary().gallery));
    });
    connect(job, &Job::failed, this, [this](const QString& error, bool cancelled) {
        finished();
        summary_->setText(cancelled ? tr("Paused: everything backfilled so far is saved; Backfill goes on.")
                                    : tr("Backfill failed: %1").arg(error));
        Q_EMIT indexingFailed(error, cancelled);
    });
    setRunning(runner_->start(job), job->title());
    cancel_->setEnabled(true);
}

void IndexPanel::promote()
{
    if (!session_ || job_)
        return;
    const std::string gallery = gallery_->currentText().trimmed().toStdString();
    auto* job = new PromoteBackfillJob(session_, gallery);
    connect(job, &Job::succeeded, this, [this, gallery] {
        finished();
        summary_->setText(tr("'%1' now searches with the backfilled model; the previous embeddings are kept for "
                             "rollback (Promote again swaps back).")
                              .arg(q(gallery)));
        Q_EMIT galleryIndexed(q(gallery));
    });
    connect(job, &Job::failed, this, [this](const QString& error, bool) {
        finished();
        summary_->setText(tr("Not promoted: %1").arg(error));
    });
    setRunning(runner_->start(job), job->title());
}

void IndexPanel::fillFromGallery(const QString& gallery)
{
    for (const GalleryOverview& g : galleries_) {
        if (q(g.name) != gallery || !g.error.empty())
            continue;
        folder_->setText(q(g.settings.root));
        model_->setCurrentText(q(g.settings.modelSpec));
        adapter_->setCurrentIndex(0);
        sideInformation_->setChecked(g.settings.sideInformation);
    }
}

void IndexPanel::setInputs(const QString& folder, const QString& gallery, const QString& modelSpec,
                           const QString& captions, const QString& captionFormat)
{
    folder_->setText(folder);
    gallery_->setCurrentText(gallery);
    model_->setCurrentText(modelSpec);
    captions_->setText(captions);
    captionFormat_->setCurrentText(captionFormat);
}

void IndexPanel::setImportInputs(const QString& source, const QString& pathsFile, bool normalize, int checkSamples)
{
    importSource_->setText(source);
    importPaths_->setText(pathsFile);
    normalize_->setChecked(normalize);
    checkSamples_->setValue(checkSamples);
}

QString IndexPanel::summaryText() const { return summary_->text(); }

void IndexPanel::cancel()
{
    if (job_)
        runner_->cancel(job_);
}

void IndexPanel::setRunning(int job, const QString& title)
{
    job_ = job;
    for (QPushButton* b : {start_, import_, backfill_, promote_})
        b->setEnabled(false);
    failures_->setRowCount(0);
    summary_->setStyleSheet(QString());
    progress_->follow(job, title);
}

void IndexPanel::finished()
{
    job_ = 0;
    for (QPushButton* b : {start_, import_, promote_})
        b->setEnabled(true);
    backfill_->setEnabled(!newModel_.isEmpty());
    cancel_->setEnabled(false);
}

void IndexPanel::showFailures(const QList<QPair<QString, QString>>& rows)
{
    failures_->setRowCount(static_cast<int>(rows.size()));
    for (int i = 0; i < rows.size(); ++i) {
        failures_->setItem(i, 0, new QTableWidgetItem(rows[i].first));
        failures_->setItem(i, 1, new QTableWidgetItem(rows[i].second));
    }
}

void IndexPanel::start()
{
    if (!session_ || job_)
        return;
    IndexRequest request;
    request.run.root = folder_->text().trimmed().toStdString();
    request.run.gallery = gallery_->currentText().trimmed().toStdString();
    request.run.captionsFile = captions_->text().trimmed().toStdString();
    request.run.captionFormat = parseCaptionFormat(captionFormat_->currentText().toStdString());
    request.modelSpec = model_->currentText().trimmed().toStdString();
    if (adapter_->currentIndex() > 0)
        request.adapter = adapter_->currentText().toStdString();
    if (sideInformation_->isChecked())
        request.run.sideInformation = true;
    auto* job = new IndexJob(session_, request);
    summary_->setText(tr("Indexing %1 into '%2' ...").arg(folder_->text(), gallery_->currentText()));
    connect(job, &Job::succeeded, this, [this, job] { showIndexSummary(job->summary()); });
    connect(job, &Job::failed, this, [this](const QString& error, bool cancelled) {
        finished();
        summary_->setText(cancelled ? tr("Cancelled.") : tr("Indexing failed: %1").arg(error));
        Q_EMIT indexingFailed(error, cancelled);
    });
    setRunning(runner_->start(job), job->title());
    cancel_->setEnabled(true);
}

void IndexPanel::showIndexSummary(const IndexRunSummary& s)
{
    finished();
    QString text = tr("%1: scanned %2, added %3, changed %4, unchanged %5, removed %6, failed %7 in %8 s "
                      "(%9 images/s)")
                       .arg(q(s.gallery))
                       .arg(s.scanned)
                       .arg(s.added)
                       .arg(s.changed)
                       .arg(s.unchanged)
                       .arg(s.removed)
                       .arg(s.failures.size())
                       .arg(s.seconds, 0, 'f', 1)
                       .arg(s.imagesPerSecond, 0, 'f', 1);
    if (s.captionsAdded || s.captionsRemoved || s.captionLinesSkipped)
        text += tr("; captions: %1 added, %2 removed, %3 lines skipped")
                    .arg(s.captionsAdded)
                    .arg(s.captionsRemoved)
                    .arg(s.captionLinesSkipped);
    if (s.keptUnscanned > 0)
        text += tr("; kept %1 items under folders that could not be scanned").arg(s.keptUnscanned);
    if (s.sideInformation.images || s.sideInformation.captions || s.sideInformation.skipped)
        text += tr("; side information: %1 images, %2 captions (%3 images skipped, retried next run)")
                    .arg(s.sideInformation.images)
                    .arg(s.sideInformation.captions)
                    .arg(s.sideInformation.skipped);
    for (const std::string& p : s.sideInformation.problems)
        text += tr("; side information skipped: %1").arg(q(p));
    if (s.cancelled)
        text += tr(". Cancelled: %1 files left for the next run.").arg(s.remaining);
    summary_->setText(text);
    QList<QPair<QString, QString>> rows;
    for (const FileFailure& f : s.failures)
        rows.append({q(f.path), q(f.reason) + (f.earlier ? tr(" (earlier run; retried when the file changes)")
                                                         : QString())});
    for (const SkippedCaption& c : s.malformedCaptions)
        rows.append({QStringLiteral("%1:%2").arg(q(c.file)).arg(c.line), q(c.reason)});
    for (const std::string& p : s.scanProblems)
        rows.append({tr("(folder not scanned)"), q(p)});
    showFailures(rows);
    Q_EMIT galleryIndexed(q(s.gallery));
}

void IndexPanel::startImport()
{
    if (!session_ || job_)
        return;
    ImportRequest request;
    ImportRunOptions& options = request.run;
    options.source = importSource_->text().trimmed().toStdString();
    options.pathsFile = importPaths_->text().trimmed().toStdString();
    options.normalize = normalize_->isChecked();
    options.acceptDisagreement = acceptDisagreement_->isChecked();
    options.checkSamples = checkSamples_->value();
    options.root = folder_->text().trimmed().toStdString();
    options.gallery = gallery_->currentText().trimmed().toStdString();
    request.modelSpec = model_->currentText().trimmed().toStdString();
    auto* job = new ImportJob(session_, request);
    summary_->setText(tr("Importing %1 into '%2' ...").arg(importSource_->text(), gallery_->currentText()));
    connect(job, &Job::succeeded, this, [this, job] { showImportSummary(job->summary()); });
    connect(job, &Job::failed, this, [this](const QString& error, bool cancelled) {
        finished();
        summary_->setText(cancelled ? tr("Cancelled.") : tr("Import failed, nothing was written: %1").arg(error));
        Q_EMIT indexingFailed(error, cancelled);
    });
    // An import takes no cancel token: Cancel stays off.
    setRunning(runner_->start(job), job->title());
}

void IndexPanel::showImportSummary(const ImportRunSummary& s)
{
    finished();
    QString text = tr("%1: imported %2, skipped %3 (already in the gallery, unchanged), renormalised %4, not "
                      "on disk %5, in %6 s, from %7. ")
                       .arg(q(s.gallery))
                       .arg(s.imported)
                       .arg(s.skipped)
                       .arg(s.renormalisedRows)
                       .arg(s.notOnDisk.size())
                       .arg(s.seconds, 0, 'f', 1)
                       .arg(q(s.sourceDescription));
    const bool disagree = s.checkedRows > 0 && !s.agreement.agree;
    text += s.checkedRows == 0 ? tr("Agreement with the model: not checked.")
                               : tr("Agreement with the model (%1 images embedded again): %2")
                                     .arg(s.checkedRows)
                                     .arg(q(s.agreement.message));
    summary_->setStyleSheet(disagree ? QStringLiteral("color: rgb(180, 30, 30)") : QString());
    summary_->setText(text);
    QList<QPair<QString, QString>> rows;
    for (const std::string& p : s.notOnDisk)
        rows.append({q(p), tr("imported, but not on disk under the root: indexing the folder removes it")});
    for (const std::string& f : s.checkFailures)
        rows.append({q(f), tr("could not be embedded again for the agreement check")});
    showFailures(rows);
    Q_EMIT galleryIndexed(q(s.gallery));
}

}  // namespace xbt::ui

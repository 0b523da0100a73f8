#include "ui/workbench/EvaluatePanel.h"

#include "core/eval/EvaluationFiles.h"
#include "core/eval/EvaluationResults.h"
#include "core/eval/UpgradeDecision.h"
#include "core/pipeline/EvaluationPipeline.h"
#include "core/util/FileUtil.h"
#include "core/util/Timestamp.h"
#include "ui/charts/EvaluationCharts.h"
#include "ui/charts/EvaluationOutputs.h"
#include "ui/charts/ReportFormat.h"
#include "ui/workbench/ChartImageView.h"
#include "ui/workbench/EvaluationJobs.h"
#include "ui/workbench/JobRunner.h"
#include "core/pipeline/UpgradeSession.h"
#include "core/workspace/WorkspaceLayout.h"

#include <QCheckBox>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>

#include <filesystem>

namespace xbt::ui {

namespace {

QTableView* tableFor(QStandardItemModel* model)
{
    auto* view = new QTableView;
    view->setModel(model);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setAlternatingRowColors(true);
    view->verticalHeader()->setVisible(false);
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    // Numbers stay beside their labels: no stretched last column.
    view->horizontalHeader()->setStretchLastSection(false);
    return view;
}

// R@k of a summary (null: not comparable), with its interval when the evaluation has them.
QStandardItem* recallItem(const RecallSummary* s, int k, bool withInterval)
{
    if (!s)
        return new QStandardItem(QStringLiteral("n/c"));
    QString text = charts::percentNumber(s->recallAt(k));
    if (withInterval)
        text += QStringLiteral("  [%1, %2]").arg(charts::percentNumber(s->intervalAt(k).low),
                                                 charts::percentNumber(s->intervalAt(k).high));
    auto* item = new QStandardItem(text);
    item->setData(s->recallAt(k), Qt::UserRole);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

QStandardItem* verdictItem(CriterionVerdict verdict)
{
    auto* item = new QStandardItem(QString::fromLatin1(verdictName(verdict)));
    if (verdict == CriterionVerdict::Pass)
        item->setForeground(QColor(30, 130, 50));
    else if (verdict == CriterionVerdict::Fail)
        item->setForeground(QColor(180, 30, 30));
    return item;
}

}  // namespace

EvaluatePanel::EvaluatePanel(JobRunner* runner, QWidget* parent)
    : QWidget(parent), runner_(runner), run_(new QPushButton(tr("Run evaluation"))), adapters_(new QLineEdit(QStringLiteral("all"))),
      ceiling_(new QCheckBox(tr("Ceiling (diagnostic)"))), paths_(new QCheckBox(tr("Upgrade paths"))),
      png_(new QPushButton(tr("Export PNG..."))), csvButton_(new QPushButton(tr("Export CSV..."))),
      report_(new QPushButton(tr("Export report..."))), summary_(new QLabel), recommendation_(new QLabel),
      exportStatus_(new QLabel),
      t2i_(new ChartImageView),
      i2t_(new ChartImageView), backfillT2i_(new ChartImageView), backfillI2t_(new ChartImageView), recall_(new QStandardItemModel(this)), criterion_(new QStandardItemModel(this)),
      categories_(new QStandardItemModel(this)), decision_(new QStandardItemModel(this))
{
    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    run_->setToolTip(tr("Embed the evaluation split with both models (cached) and measure every configuration (Ctrl+E)"));
    adapters_->setToolTip(tr("Adapters to evaluate: all, none, or names separated by commas"));
    adapters_->setMaximumWidth(220);
    bar->addWidget(run_);
    bar->addWidget(new QLabel(tr("Adapters:")));
    bar->addWidget(adapters_);
    ceiling_->setToolTip(tr("Also fit a query map on the evaluation split's own pairs: not a method, the most a query "
                            "adapter could take from the old gallery; adds G_ceiling"));
    bar->addWidget(ceiling_);
    paths_->setToolTip(tr("Also measure re-ranking each adapter's top 10 and 50 with the new model, and a partly "
                          "backfilled gallery (0 to 100%, three orders); adds the upgrade decision table"));
    bar->addWidget(paths_);
    bar->addStretch(1);
    bar->addWidget(png_);
    bar->addWidget(csvButton_);
    bar->addWidget(report_);
    layout->addLayout(bar);
    summary_->setWordWrap(true);
    summary_->setText(tr("The evaluation measures recall@K of every configuration on the workspace's evaluation split, "
                         "exactly as `xbt eval` does."));
    layout->addWidget(summary_);
    recommendation_->setWordWrap(true);
    recommendation_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    recommendation_->hide();
    layout->addWidget(recommendation_);
    exportStatus_->setWordWrap(true);
    exportStatus_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    exportStatus_->hide();
    layout->addWidget(exportStatus_);

    auto* split = new QSplitter(Qt::Vertical);
    auto* chartsRow = new QSplitter(Qt::Horizontal);
    chartsRow->addWidget(t2i_);
    chartsRow->addWidget(i2t_);
    split->addWidget(chartsRow);
    auto* tabs = resultTabs_ = new QTabWidget;
    tabs->addTab(tableFor(recall_), tr("Recall (R@1 / 5 / 10, 95% CI)"));
    tabs->addTab(tableFor(criterion_), tr("Compatibility criterion and G"));
    tabs->addTab(tableFor(categories_), tr("Per category (R@1)"));
    tabs->addTab(tableFor(decision_), tr("Upgrade paths"));
    auto* curves = new QSplitter(Qt::Horizontal);
    curves->addWidget(backfillT2i_);
    curves->addWidget(backfillI2t_);
    tabs->addTab(curves, tr("Backfill curve"));
    split->addWidget(tabs);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);

    setExportEnabled(false);
    connect(run_, &QPushButton::clicked, this, &EvaluatePanel::runEvaluation);
    connect(png_, &QPushButton::clicked, this, &EvaluatePanel::exportPngs);
    connect(csvButton_, &QPushButton::clicked, this, &EvaluatePanel::exportCsv);
    connect(report_, &QPushButton::clicked, this, &EvaluatePanel::exportReport);
}

void EvaluatePanel::setSession(std::shared_ptr<UpgradeSession> session, const WorkspaceSummary& summary)
{
    session_ = std::move(session);
    workspaceDir_ = summary.dir;
    run_->setEnabled(summary.hasProfile() && !summary.profile.evalSplit.empty());
}

void EvaluatePanel::runEvaluation()
{
    if (!session_)
        return;
    EvaluationRequest request;
    const UpgradeProfile profile = session_->profile();
    request.oldModel = profile.oldModel;
    request.newModel = profile.newModel;
    request.modelOptions = session_->modelOptions();
    request.splitDir = profile.evalSplitPath(session_->dir());
    request.workspaceDir = session_->dir();
    request.adapters = adapters_->text().trimmed().isEmpty() ? std::string("all") : adapters_->text().trimmed().toStdString();
    request.ceiling = ceiling_->isChecked();
    if (paths_->isChecked()) {
        request.options.rerankK = {10, 50};
        request.backfillCurve = true;
    }
    run_->setEnabled(false);
    summary_->setText(tr("Evaluating on %1 ...").arg(QString::fromStdString(request.splitDir)));
    auto* job = new EvaluateJob(request);
    connect(job, &Job::succeeded, this,
            [this, job, keepDir = WorkspaceLayout(request.workspaceDir).workbenchResultsDir()] {
                const EvaluationRun& run = job->result();
                showResults(run.outcome);
                QString extra;
                if (!run.failures.empty())
                    extra += tr("  %1 images could not be read and were left out.").arg(run.failures.size());
                for (const std::string& s : run.skippedAdapters)
                    extra += tr("  Skipped %1.").arg(QString::fromStdString(s));
                summary_->setText(summary_->text() + extra);
                keepResults(keepDir);
            });
    connect(job, &Job::failed, this, [this](const QString& error, bool cancelled) {
        run_->setEnabled(true);
        summary_->setText(cancelled ? tr("Evaluation cancelled.") : tr("Evaluation failed: %1").arg(error));
        if (!cancelled)
            Q_EMIT evaluationFailed(error);
    });
    runner_->start(job);
}

// The same files `xbt eval` writes. The recall charts are Qt Charts, drawn
// here on the GUI thread; a job writes everything. The next evaluation waits
// for it, so that the folder never mixes two evaluations' files.
void EvaluatePanel::keepResults(const std::string& dir)
{
    auto* job = new WriteEvaluationFilesJob(tr("Keeping the results in the workspace"),
                                            WriteEvaluationFilesJob::Files::All, results_,
                                            renderReportRecallCharts(*results_), dir);
    connect(job, &Job::succeeded, this, [this] {
        run_->setEnabled(true);
        Q_EMIT evaluationFinished();
    });
    connect(job, &Job::failed, this, [this](const QString& error, bool) {
        run_->setEnabled(true);
        summary_->setText(summary_->text() +
                          tr("  The results could not be kept in the workspace (demo mode will not see them): %1")
                              .arg(error));
        Q_EMIT evaluationFinished();
    });
    runner_->start(job);
}

void EvaluatePanel::showResults(const EvaluationOutcome& results)
{
    results_ = std::make_shared<const EvaluationOutcome>(results);
    const std::shared_ptr<const EvaluationOutcome> shown = results_;
    const QString date =
        shown->date.empty() ? QString() : QStringLiteral("  -  ") + QString::fromStdString(shown->date);
    summary_->setText(tr("%1 images, %2 captions from %3%4")
                          .arg(shown->images)
                          .arg(shown->captions)
                          .arg(QString::fromStdString(shown->splitFolder), date));
    t2i_->setRenderer([shown](QSize s) { return renderRecallChart(*shown, RetrievalDirection::TextToImage, s); });
    i2t_->setRenderer([shown](QSize s) { return renderRecallChart(*shown, RetrievalDirection::ImageToText, s); });
    backfillT2i_->setRenderer(
        [shown](QSize s) { return renderBackfillCurveChart(*shown, RetrievalDirection::TextToImage, s); });
    backfillI2t_->setRenderer(
        [shown](QSize s) { return renderBackfillCurveChart(*shown, RetrievalDirection::ImageToText, s); });
    const bool intervals = shown->hasIntervals();
    const Recommendation& r = shown->recommendation;
    QString verdict = r.decided ? tr("<b>Recommendation</b> (decided on validation): %1")
                                      .arg(QString::fromStdString(r.reason).toHtmlEscaped())
                                : QString();
    // With the ceiling: what the old gallery cannot tell apart caps every adapter.
    if (const std::string ties = tieBoundMarkdown(*shown); !ties.empty())
        verdict += (verdict.isEmpty() ? QString() : QStringLiteral("<br>")) +
                   charts::plainText(ties).toHtmlEscaped();
    recommendation_->setVisible(!verdict.isEmpty());
    recommendation_->setText(verdict);

    recall_->clear();
    recall_->setHorizontalHeaderLabels({tr("configuration"), tr("what it is"), tr("T2I R@1"), tr("T2I R@5"), tr("T2I R@10"),
                                        tr("I2T R@1"), tr("I2T R@5"), tr("I2T R@10"), tr("flips T2I@1"),
                                        tr("flips I2T@1")});
    for (const ConfigurationResult& c : shown->configurations) {
        QList<QStandardItem*> row{new QStandardItem(QString::fromStdString(c.name)),
                                  new QStandardItem(QString::fromStdString(roleDescription(c)) +
                                                    (c.comparable ? QString() : QStringLiteral(" (not comparable)")))};
        for (RetrievalDirection d : kRetrievalDirections)
            for (int k : kReportedK)
                row << recallItem(c.comparable && c.has(d) ? &c.summary(d) : nullptr, k, intervals);
        // Negative flips: queries today answers right at R@1 that this one does not.
        for (RetrievalDirection d : kRetrievalDirections) {
            const std::optional<DirectionFlips>& f = c.negativeFlips.in(d);
            auto* item = new QStandardItem(f && c.role != ConfigurationRole::Today
                                               ? QString::number(100.0 * f->at1, 'f', 1) + QStringLiteral("%")
                                               : QStringLiteral("-"));
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            item->setToolTip(tr("Share of all queries that today's system answers right at R@1 and this "
                                "configuration answers wrong (lower is better)"));
            row << item;
        }
        recall_->appendRow(row);
    }

    criterion_->clear();
    criterion_->setHorizontalHeaderLabels({tr("adapter"), tr("direction"), tr("R@1"), tr("R@5"), tr("R@10"), tr("G@1"),
                                           tr("G@5"), tr("G@10"), tr("G_ceiling@1")});
    for (const CompatibilityEntry& c : shown->compatibility)
        for (RetrievalDirection d : kRetrievalDirections) {
            const CompatibilityDirection& v = c.in(d);
            if (!v.available)
                continue;
            QList<QStandardItem*> row{new QStandardItem(QString::fromStdString(c.configuration)),
                                      new QStandardItem(charts::directionTitle(d))};
            for (int k : kReportedK)
                row << verdictItem(v.verdictAt(k));
            for (int k : kReportedK)
                row << new QStandardItem(v.gainAt(k) ? QString::number(*v.gainAt(k), 'f', 2) : QStringLiteral("-"));
            row << new QStandardItem(v.gc1 ? QString::number(*v.gc1, 'f', 2) : QStringLiteral("-"));
            criterion_->appendRow(row);
        }

    categories_->clear();
    categories_->setHorizontalHeaderLabels({tr("category"), tr("configuration"), tr("T2I R@1"), tr("I2T R@1")});
    const auto inCategory = [](const std::map<std::string, RecallSummary>& summaries, const std::string& category) {
        const auto it = summaries.find(category);
        return it == summaries.end() ? nullptr : &it->second;
    };
    for (const std::string& category : shown->categories)
        for (const ConfigurationResult& c : shown->configurations) {
            const RecallSummary* t2i = inCategory(c.textToImageByCategory, category);
            const RecallSummary* i2t = inCategory(c.imageToTextByCategory, category);
            if (!c.comparable || (!t2i && !i2t))
                continue;
            categories_->appendRow({new QStandardItem(QString::fromStdString(category)),
                                    new QStandardItem(QString::fromStdString(c.name)), recallItem(t2i, 1, intervals),
                                    recallItem(i2t, 1, intervals)});
        }
    decision_->clear();
    QStringList headers{tr("path"), tr("T2I R@1"), tr("I2T R@1")};
    for (const std::string& h : upgradePathTextHeaders())
        headers << QString::fromStdString(h);
    decision_->setHorizontalHeaderLabels(headers);
    for (const UpgradePathRow& p : upgradePathRows(*shown)) {
        // The markdown's code quotes read as noise in a table cell.
        QList<QStandardItem*> row{new QStandardItem(charts::plainText(p.path))};
        for (double r : {p.t2iR1, p.i2tR1}) {
            auto* item = new QStandardItem(QString::number(100.0 * r, 'f', 1));
            item->setData(r, Qt::UserRole);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            row << item;
        }
        for (const std::string& text : upgradePathTextCells(p)) {
            auto* item = new QStandardItem(QString::fromStdString(text));
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            row << item;
        }
        decision_->appendRow(row);
    }
    setExportEnabled(true);
    Q_EMIT resultsShown(results_);
}

void EvaluatePanel::showUpgradePathsTab()
{
    for (int i = 0; i < resultTabs_->count(); ++i)
        if (resultTabs_->tabText(i) == tr("Upgrade paths"))
            resultTabs_->setCurrentIndex(i);
}

QString EvaluatePanel::recommendationText() const { return recommendation_->text(); }

void EvaluatePanel::setUpgradePaths(bool on) { paths_->setChecked(on); }
void EvaluatePanel::setCeiling(bool on) { ceiling_->setChecked(on); }

bool EvaluatePanel::canExport()
{
    if (results_)
        return true;
    Q_EMIT exportFailed(tr("There is no evaluation to export yet."));
    return false;
}

void EvaluatePanel::setExportEnabled(bool enabled)
{
    for (QPushButton* b : {png_, csvButton_, report_})
        b->setEnabled(enabled);
}

QString EvaluatePanel::exportDir(const QString& title)
{
    // results/ exists once an evaluation ran (it keeps results/workbench/results.json).
    return QFileDialog::getExistingDirectory(
        this, title, QString::fromStdString(WorkspaceLayout(workspaceDir_).resultsDir()));
}

void EvaluatePanel::exportPngs()
{
    const QString dir = exportDir(tr("Save the charts into"));
    if (!dir.isEmpty())
        exportPngsTo(dir);
}

void EvaluatePanel::exportCsv()
{
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save recall.csv"),
        QDir(QString::fromStdString(workspaceDir_)).filePath(QStringLiteral("results/recall.csv")), tr("CSV (*.csv)"));
    if (!path.isEmpty())
        exportCsvTo(path);
}

void EvaluatePanel::exportReport()
{
    const QString dir = exportDir(tr("Write the report (HTML, PDF, charts) into"));
    if (!dir.isEmpty())
        exportReportTo(dir, true);
}

void EvaluatePanel::exportPngsTo(const QString& dir)
{
    if (canExport())
        runExport(tr("Exporting the charts"), WriteEvaluationFilesJob::Files::ChartPngs, dir, false);
}

void EvaluatePanel::exportCsvTo(const QString& path)
{
    if (canExport())
        runExport(tr("Exporting recall.csv"), WriteEvaluationFilesJob::Files::RecallCsv, path, false);
}

void EvaluatePanel::exportReportTo(const QString& dir, bool openWhenDone)
{
    if (canExport())
        runExport(tr("Writing the report"), WriteEvaluationFilesJob::Files::All, dir, openWhenDone);
}

void EvaluatePanel::runExport(const QString& title, WriteEvaluationFilesJob::Files files, const QString& target,
                              bool openFirstFile)
{
    setExportEnabled(false);
    exportStatus_->setStyleSheet(QString());
    exportStatus_->setText(tr("%1 ...").arg(title));
    exportStatus_->show();
    const RecallChartImages charts =
        files == WriteEvaluationFilesJob::Files::RecallCsv ? RecallChartImages{} : renderReportRecallCharts(*results_);
    auto* job = new WriteEvaluationFilesJob(title, files, results_, charts, target.toStdString());
    connect(job, &Job::succeeded, this, [this, job, openFirstFile] {
        const QStringList& files = job->written();
        setExportEnabled(true);
        exportStatus_->setText(tr("Wrote %1").arg(files.join(QStringLiteral(", "))));
        if (openFirstFile && !files.isEmpty())
            QDesktopServices::openUrl(QUrl::fromLocalFile(files.front()));
        Q_EMIT exported(files);
    });
    connect(job, &Job::failed, this, [this, title](const QString& error, bool cancelled) {
        setExportEnabled(true);
        exportStatus_->setStyleSheet(QStringLiteral("color: rgb(180, 30, 30)"));
        exportStatus_->setText(cancelled ? tr("%1: cancelled").arg(title) : tr("%1 failed: %2").arg(title, error));
        if (!cancelled)
            Q_EMIT exportFailed(error);
    });
    runner_->start(job);
}

}  // namespace xbt::ui

#include "ui/workbench/EvaluatePanel.h"

#include "core/eval/EvaluationFiles.h"
#include "core/eval/EvaluationJson.h"
#include "core/eval/EvaluationResults.h"
#include "core/pipeline/EvaluationPipeline.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/Timestamp.h"
#include "ui/charts/EvaluationCharts.h"
#include "ui/charts/EvaluationReport.h"
#include "ui/charts/ReportData.h"
#include "ui/charts/ReportFormat.h"
#include "ui/workbench/ChartImageView.h"
#include "ui/workbench/JobRunner.h"
#include "ui/workbench/WorkspaceSession.h"
#include "core/workspace/WorkspaceLayout.h"

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

using charts::Direction;

namespace {

struct EvaluationJobResult {
    nlohmann::json results;
    std::string csv;
    size_t failures = 0;
    std::vector<std::string> skipped;
    std::string keepError;  // why results.json could not be kept in the workspace
};

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

QStandardItem* recallItem(const std::optional<charts::DirectionRecall>& r, size_t k)
{
    if (!r)
        return new QStandardItem(QStringLiteral("n/c"));
    QString text = charts::percentNumber(r->recall[k]);
    if (r->ci[k])
        text += QStringLiteral("  [%1, %2]").arg(charts::percentNumber(r->ci[k]->low), charts::percentNumber(r->ci[k]->high));
    auto* item = new QStandardItem(text);
    item->setData(r->recall[k], Qt::UserRole);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

QStandardItem* verdictItem(const std::string& verdict)
{
    auto* item = new QStandardItem(QString::fromStdString(verdict));
    if (verdict == "pass")
        item->setForeground(QColor(30, 130, 50));
    else if (verdict == "fail")
        item->setForeground(QColor(180, 30, 30));
    return item;
}

}  // namespace

EvaluatePanel::EvaluatePanel(JobRunner* runner, QWidget* parent)
    : QWidget(parent), runner_(runner), run_(new QPushButton(tr("Run evaluation"))), adapters_(new QLineEdit(QStringLiteral("all"))),
      png_(new QPushButton(tr("Export PNG..."))), csvButton_(new QPushButton(tr("Export CSV..."))),
      report_(new QPushButton(tr("Export report..."))), summary_(new QLabel), exportStatus_(new QLabel),
      t2i_(new ChartImageView),
      i2t_(new ChartImageView), recall_(new QStandardItemModel(this)), criterion_(new QStandardItemModel(this)),
      categories_(new QStandardItemModel(this))
{
    auto* layout = new QVBoxLayout(this);
    auto* bar = new QHBoxLayout;
    run_->setToolTip(tr("Embed the evaluation split with both models (cached) and measure every configuration (Ctrl+E)"));
    adapters_->setToolTip(tr("Adapters to evaluate: all, none, or names separated by commas"));
    adapters_->setMaximumWidth(220);
    bar->addWidget(run_);
    bar->addWidget(new QLabel(tr("Adapters:")));
    bar->addWidget(adapters_);
    bar->addStretch(1);
    bar->addWidget(png_);
    bar->addWidget(csvButton_);
    bar->addWidget(report_);
    layout->addLayout(bar);
    summary_->setWordWrap(true);
    summary_->setText(tr("The evaluation measures recall@K of every configuration on the workspace's evaluation split, "
                         "exactly as `xbt eval` does."));
    layout->addWidget(summary_);
    exportStatus_->setWordWrap(true);
    exportStatus_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    exportStatus_->hide();
    layout->addWidget(exportStatus_);

    auto* split = new QSplitter(Qt::Vertical);
    auto* chartsRow = new QSplitter(Qt::Horizontal);
    chartsRow->addWidget(t2i_);
    chartsRow->addWidget(i2t_);
    split->addWidget(chartsRow);
    auto* tabs = new QTabWidget;
    tabs->addTab(tableFor(recall_), tr("Recall (R@1 / 5 / 10, 95% CI)"));
    tabs->addTab(tableFor(criterion_), tr("Compatibility criterion and G"));
    tabs->addTab(tableFor(categories_), tr("Per category (R@1)"));
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

void EvaluatePanel::setSession(std::shared_ptr<WorkspaceSession> session, const WorkspaceSummary& summary)
{
    session_ = std::move(session);
    workspaceDir_ = summary.dir;
    run_->setEnabled(summary.hasProfile && !summary.profile.evalSplit.empty());
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
    run_->setEnabled(false);
    summary_->setText(tr("Evaluating on %1 ...").arg(QString::fromStdString(request.splitDir)));
    runner_->run(
        this, tr("Evaluation"),
        [request](JobContext& ctx) {
            EvaluationRun run = xbt::runEvaluation(request, ctx.progress(), ctx.cancel());
            run.outcome.command = "xbt-workbench Evaluate (" + request.workspaceDir + ")";
            run.outcome.date = utcTimestamp();
            EvaluationJobResult r;
            r.results = evaluationToJson(run.outcome);
            // Kept in the workspace, where demo mode finds the latest
            // numbers for its headline.
            try {
                const std::string dir = WorkspaceLayout(request.workspaceDir).workbenchResultsDir();
                createDirectories(dir);
                writeFileAtomic(dir + "/results.json", r.results.dump(2) + "\n");
            } catch (const std::exception& e) {
                r.keepError = e.what();
            }
            r.csv = evaluationRecallCsv(run.outcome);
            r.failures = run.failures.size();
            r.skipped = run.skippedAdapters;
            return r;
        },
        [this](const EvaluationJobResult& r) {
            run_->setEnabled(true);
            showResults(r.results, r.csv);
            QString extra;
            if (r.failures)
                extra += tr("  %1 images could not be read and were left out.").arg(r.failures);
            for (const std::string& s : r.skipped)
                extra += tr("  Skipped %1.").arg(QString::fromStdString(s));
            if (!r.keepError.empty())
                extra += tr("  The results could not be kept in the workspace (demo mode will not see them): %1")
                             .arg(QString::fromStdString(r.keepError));
            summary_->setText(summary_->text() + extra);
            Q_EMIT evaluationFinished();
        },
        [this](const QString& error, bool cancelled) {
            run_->setEnabled(true);
            summary_->setText(cancelled ? tr("Evaluation cancelled.") : tr("Evaluation failed: %1").arg(error));
            if (!cancelled)
                Q_EMIT evaluationFailed(error);
        });
}

void EvaluatePanel::showResults(const nlohmann::json& results, const std::string& csv)
{
    results_ = results;
    csv_ = csv;
    const charts::EvaluationResults parsed = charts::parseEvaluationResults(results);
    summary_->setText(tr("%1 images, %2 captions from %3%4")
                          .arg(parsed.splitImages.value_or(0))
                          .arg(parsed.splitCaptions.value_or(0))
                          .arg(QString::fromStdString(parsed.splitFolder),
                               parsed.date.empty() ? QString() : QStringLiteral("  -  ") + QString::fromStdString(parsed.date)));
    auto shared = std::make_shared<charts::EvaluationResults>(parsed);
    t2i_->setRenderer([shared](QSize s) { return renderRecallChart(*shared, Direction::TextToImage, s); });
    i2t_->setRenderer([shared](QSize s) { return renderRecallChart(*shared, Direction::ImageToText, s); });

    recall_->clear();
    recall_->setHorizontalHeaderLabels({tr("configuration"), tr("what it is"), tr("T2I R@1"), tr("T2I R@5"), tr("T2I R@10"),
                                        tr("I2T R@1"), tr("I2T R@5"), tr("I2T R@10")});
    for (const charts::Configuration& c : parsed.configurations) {
        QList<QStandardItem*> row{new QStandardItem(QString::fromStdString(c.name)),
                                  new QStandardItem(QString::fromStdString(charts::roleDescription(c)) +
                                                    (c.comparable ? QString() : QStringLiteral(" (not comparable)")))};
        for (Direction d : {Direction::TextToImage, Direction::ImageToText})
            for (size_t k = 0; k < charts::kReportedK.size(); ++k)
                row << recallItem(c.comparable ? c.recall.in(d) : std::nullopt, k);
        recall_->appendRow(row);
    }

    criterion_->clear();
    criterion_->setHorizontalHeaderLabels({tr("adapter"), tr("direction"), tr("R@1"), tr("R@5"), tr("R@10"), tr("G@1"),
                                           tr("G@5"), tr("G@10")});
    for (const charts::CompatibilityResult& c : parsed.compatibility)
        for (Direction d : {Direction::TextToImage, Direction::ImageToText}) {
            const auto& v = c.verdict.in(d);
            if (!v)
                continue;
            QList<QStandardItem*> row{new QStandardItem(QString::fromStdString(c.configuration)),
                                      new QStandardItem(charts::directionTitle(d))};
            for (const std::string& verdict : v->criterion)
                row << verdictItem(verdict);
            for (const std::optional<double>& g : v->gainRecovery)
                row << new QStandardItem(g ? QString::number(*g, 'f', 2) : QStringLiteral("-"));
            criterion_->appendRow(row);
        }

    categories_->clear();
    categories_->setHorizontalHeaderLabels({tr("category"), tr("configuration"), tr("T2I R@1"), tr("I2T R@1")});
    for (const std::string& category : parsed.categories)
        for (const charts::Configuration& c : parsed.configurations) {
            const auto it = c.perCategory.find(category);
            if (!c.comparable || it == c.perCategory.end())
                continue;
            categories_->appendRow({new QStandardItem(QString::fromStdString(category)),
                                    new QStandardItem(QString::fromStdString(c.name)),
                                    recallItem(it->second.textToImage, 0), recallItem(it->second.imageToText, 0)});
        }
    setExportEnabled(true);
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
    RecallChartImages charts;
    try {
        charts = renderReportRecallCharts(results_);
    } catch (const std::exception& e) {
        Q_EMIT exportFailed(QString::fromStdString(e.what()));
        return;
    }
    const std::string out = dir.toStdString();
    runExport(tr("Exporting the charts"),
              [charts, out] {
                  std::error_code ec;
                  createDirectories(out);
                  QStringList files;
                  for (auto it = charts.begin(); it != charts.end(); ++it) {
                      const std::string path = (std::filesystem::path(out) / it.key().toStdString()).string();
                      writeChartPng(it.value(), path);
                      files << QString::fromStdString(path);
                  }
                  return files;
              },
              false);
}

void EvaluatePanel::exportCsvTo(const QString& path)
{
    const std::string file = path.toStdString();
    const std::string csv = csv_;
    runExport(tr("Exporting recall.csv"),
              [file, csv] {
                  writeFileAtomic(file, csv);
                  return QStringList{QString::fromStdString(file)};
              },
              false);
}

void EvaluatePanel::exportReportTo(const QString& dir, bool openWhenDone)
{
    RecallChartImages charts;
    try {
        charts = renderReportRecallCharts(results_);
    } catch (const std::exception& e) {
        Q_EMIT exportFailed(QString::fromStdString(e.what()));
        return;
    }
    const std::string out = dir.toStdString();
    const nlohmann::json results = results_;
    runExport(tr("Writing the report"),
              [charts, out, results] {
                  const ReportFiles files = writeEvaluationArtifacts(results, charts, out);
                  const std::string json = (std::filesystem::path(out) / "results.json").string();
                  writeFileAtomic(json, results.dump(2) + "\n");
                  QStringList written{QString::fromStdString(files.html), QString::fromStdString(files.pdf),
                                      QString::fromStdString(json)};
                  for (const std::string& png : files.pngs)
                      written << QString::fromStdString(png);
                  return written;
              },
              openWhenDone);
}

void EvaluatePanel::runExport(const QString& title, std::function<QStringList()> write, bool openFirstFile)
{
    setExportEnabled(false);
    exportStatus_->setStyleSheet(QString());
    exportStatus_->setText(tr("%1 ...").arg(title));
    exportStatus_->show();
    runner_->run(
        this, title, [write = std::move(write)](JobContext&) { return write(); },
        [this, openFirstFile](const QStringList& files) {
            setExportEnabled(true);
            exportStatus_->setText(tr("Wrote %1").arg(files.join(QStringLiteral(", "))));
            if (openFirstFile && !files.isEmpty())
                QDesktopServices::openUrl(QUrl::fromLocalFile(files.front()));
            Q_EMIT exported(files);
        },
        [this, title](const QString& error, bool cancelled) {
            setExportEnabled(true);
            exportStatus_->setStyleSheet(QStringLiteral("color: rgb(180, 30, 30)"));
            exportStatus_->setText(cancelled ? tr("%1: cancelled").arg(title)
                                             : tr("%1 failed: %2").arg(title, error));
            if (!cancelled)
                Q_EMIT exportFailed(error);
        });
}

}  // namespace xbt::ui

#include "ui/workbench/ModelsPanel.h"

#include "ui/workbench/JobRunner.h"
#include "ui/workbench/ModelSpecChooser.h"
#include "core/pipeline/UpgradeSession.h"

#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace xbt::ui {

namespace {

QTableWidget* table(const QStringList& headers)
{
    auto* t = new QTableWidget(0, static_cast<int>(headers.size()));
    t->setHorizontalHeaderLabels(headers);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->verticalHeader()->setVisible(false);
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
}

void setRow(QTableWidget* t, int row, const QStringList& cells)
{
    for (int c = 0; c < cells.size(); ++c)
        t->setItem(row, c, new QTableWidgetItem(cells[c]));
}

QString q(const std::string& s) { return QString::fromStdString(s); }

bool contains(const std::vector<std::string>& names, const std::string& name)
{
    return std::find(names.begin(), names.end(), name) != names.end();
}

const QColor kError(180, 30, 30);
const QColor kStale(130, 130, 130);
constexpr int kAdapterFitColumn = 4;
constexpr int kAdapterMetricsColumn = 7;

}  // namespace

ModelsPanel::ModelsPanel(JobRunner* runner, QWidget* parent)
    : QWidget(parent), runner_(runner), header_(new QLabel), oldChooser_(new ModelSpecChooser(tr("old"))),
      newChooser_(new ModelSpecChooser(tr("new"))), apply_(new QPushButton(tr("Apply"))), status_(new QLabel),
      models_(table({tr("role"), tr("spec"), tr("name"), tr("dims"), tr("resolution"), tr("device"), tr("fingerprint"),
                     tr("status")})),
      adapters_(table({tr("adapter"), tr("method"), tr("kind"), tr("new -> old"), tr("fits these models"), tr("device"),
                       tr("trained"), tr("metrics")}))
{
    auto* layout = new QVBoxLayout(this);
    header_->setWordWrap(true);
    layout->addWidget(header_);

    auto* choice = new QGridLayout;
    choice->addWidget(new QLabel(tr("Old model (today's, made the gallery):")), 0, 0);
    choice->addWidget(oldChooser_, 0, 1);
    choice->addWidget(new QLabel(tr("New model (the upgrade):")), 1, 0);
    choice->addWidget(newChooser_, 1, 1);
    choice->addWidget(apply_, 0, 2, 2, 1, Qt::AlignVCenter);
    choice->setColumnStretch(3, 1);
    apply_->setToolTip(tr("Load both models, and when they load, save them in the workspace's upgrade.json"));
    layout->addLayout(choice);
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(status_);

    layout->addWidget(new QLabel(tr("<b>Models</b> (from upgrade.json)")));
    layout->addWidget(models_);
    layout->addWidget(new QLabel(tr("<b>Adapters</b> in this workspace")));
    layout->addWidget(adapters_, 1);
    models_->setMaximumHeight(140);
    apply_->setEnabled(false);
    connect(apply_, &QPushButton::clicked, this, &ModelsPanel::applyModels);
}

QString ModelsPanel::statusText() const { return status_->text(); }

void ModelsPanel::setSession(std::shared_ptr<UpgradeSession> session, const WorkspaceSummary& summary)
{
    session_ = std::move(session);
    apply_->setEnabled(session_ != nullptr);
    oldChooser_->setSpec(q(summary.profile.oldModel));
    newChooser_->setSpec(q(summary.profile.newModel));
    showSummary(summary);
}

void ModelsPanel::applyModels()
{
    if (!session_)
        return;
    std::shared_ptr<UpgradeSession> session = session_;
    const std::string oldSpec = oldChooser_->spec().toStdString();
    const std::string newSpec = newChooser_->spec().toStdString();
    apply_->setEnabled(false);
    status_->setStyleSheet(QString());
    status_->setText(tr("Loading %1 and %2 ...").arg(q(oldSpec), q(newSpec)));
    runner_->run(
        this, tr("Switching models"),
        [session, oldSpec, newSpec](JobContext&) {
            session->switchModels(oldSpec, newSpec);
            return session->summarize();
        },
        [this, session](const WorkspaceSummary& summary) {
            apply_->setEnabled(true);
            QString text = tr("Saved in upgrade.json: old model %1, new model %2.")
                               .arg(q(summary.profile.oldModel), q(summary.profile.newModel));
            if (!summary.staleAdapters.empty()) {
                QStringList names;
                for (const std::string& n : summary.staleAdapters)
                    names << q(n);
                text += QLatin1Char(' ') +
                        tr("%n adapter(s) were trained for other models and no longer fit this pair: %1. Train one "
                           "for these models in the Train tab.",
                           nullptr, static_cast<int>(names.size()))
                            .arg(names.join(QStringLiteral(", ")));
            }
            status_->setText(text);
            Q_EMIT modelsSwitched(summary);
        },
        [this](const QString& error, bool cancelled) {
            apply_->setEnabled(true);
            status_->setStyleSheet(QStringLiteral("color: rgb(180, 30, 30)"));
            status_->setText(cancelled ? tr("Cancelled: upgrade.json is unchanged.")
                                       : tr("%1\nupgrade.json is unchanged.").arg(error));
            if (!cancelled)
                Q_EMIT switchFailed(error);
        });
}

void ModelsPanel::showSummary(const WorkspaceSummary& s)
{
    QStringList galleries;
    for (const std::string& g : s.galleries)
        galleries << q(g);
    header_->setText(tr("Workspace %1  -  galleries: %2  -  old gallery: %3, new gallery: %4, evaluation split: %5")
                         .arg(q(s.dir), galleries.join(QStringLiteral(", ")), q(s.profile.oldGallery),
                              s.profile.newGallery.empty() ? tr("none") : q(s.profile.newGallery), q(s.profile.evalSplit)));
    models_->setRowCount(static_cast<int>(s.models.size()));
    for (size_t i = 0; i < s.models.size(); ++i) {
        const ModelStatus& m = s.models[i];
        setRow(models_, static_cast<int>(i),
               {q(m.role), q(m.spec), m.loaded ? q(m.info.name) : QString(),
                m.loaded ? QString::number(m.info.embeddingDim) : QString(),
                m.loaded ? QStringLiteral("%1 px").arg(m.info.preprocess.inputResolution) : QString(),
                m.loaded ? q(m.info.device) : QString(), m.loaded ? q(m.info.fingerprint).left(16) : QString(),
                m.loaded ? tr("loaded") : tr("failed: %1").arg(q(m.error))});
        if (!m.loaded) {
            models_->item(static_cast<int>(i), 7)->setForeground(kError);
            models_->item(static_cast<int>(i), 7)->setToolTip(q(m.error));
        }
        if (m.loaded)
            models_->item(static_cast<int>(i), 6)->setToolTip(q(m.info.fingerprint));
    }
    adapters_->setRowCount(static_cast<int>(s.adapters.size()));
    for (size_t i = 0; i < s.adapters.size(); ++i) {
        const AdapterInfo& a = s.adapters[i];
        const int row = static_cast<int>(i);
        const bool stale = contains(s.staleAdapters, a.name);
        setRow(adapters_, row,
               {q(a.name), q(a.method), q(adapterKindName(a.kind)),
                QStringLiteral("%1 (%2-d) -> %3 (%4-d)").arg(q(a.newModel.name)).arg(a.newModel.dims).arg(q(a.oldModel.name)).arg(a.oldModel.dims),
                stale ? tr("no: other models") : tr("yes"), q(a.device),
                QStringLiteral("%1, %2 s").arg(q(a.created)).arg(a.trainingSeconds, 0, 'f', 1), q(a.metrics.dump()).left(200)});
        adapters_->item(row, kAdapterMetricsColumn)->setToolTip(q(a.metrics.dump(2)));
        if (stale) {
            for (int c = 0; c < adapters_->columnCount(); ++c)
                adapters_->item(row, c)->setForeground(kStale);
            adapters_->item(row, kAdapterFitColumn)
                ->setToolTip(tr("Trained for %1 -> %2; the workspace now upgrades %3 -> %4 (fingerprints differ)")
                                 .arg(q(a.newModel.name), q(a.oldModel.name),
                                      s.models.size() > 1 ? q(s.models[1].info.name) : QString(),
                                      s.models.empty() ? QString() : q(s.models[0].info.name)));
        }
    }
}

}  // namespace xbt::ui

#include "ui/workbench/ModelsPanel.h"

#include "core/pipeline/UpgradeSession.h"
#include "ui/workbench/JobRunner.h"
#include "ui/workbench/ModelSpecChooser.h"
#include "ui/workbench/WorkspaceJobs.h"

#include <QComboBox>
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

// The adapter's validation headline, as `xbt adapters` shows it.
QString validationText(const AdapterInfo& a)
{
    const AdapterValidationHeadline h = validationHeadline(a);
    if (!h.available)
        return QObject::tr("not measured (trained without a validation split)");
    QString text = QObject::tr("R@1 T2I %1%, I2T %2%; criterion %3")
                       .arg(100 * h.t2iR1, 0, 'f', 1)
                       .arg(100 * h.i2tR1, 0, 'f', 1)
                       .arg(h.criterionMet ? QObject::tr("met") : QObject::tr("not met"));
    if (a.kind == AdapterKind::Query && a.interpolation.active())
        text += QObject::tr("; queries interpolated with the old model's (%1)")
                    .arg(QString::fromStdString(a.interpolation.describe()));
    return text;
}

const QColor kError(180, 30, 30);
const QColor kStale(130, 130, 130);
constexpr int kAdapterFitColumn = 4;
constexpr int kAdapterMetricsColumn = 7;

}  // namespace

ModelsPanel::ModelsPanel(JobRunner* runner, QWidget* parent)
    : QWidget(parent), runner_(runner), header_(new QLabel), oldChooser_(new ModelSpecChooser(tr("old"))),
      newChooser_(new ModelSpecChooser(tr("new"))), oldGallery_(new QComboBox), apply_(new QPushButton(tr("Apply"))),
      status_(new QLabel),
      models_(table({tr("role"), tr("spec"), tr("name"), tr("dims"), tr("resolution"), tr("device"), tr("fingerprint"),
                     tr("status")})),
      adapters_(table({tr("adapter"), tr("method"), tr("kind"), tr("new -> old"), tr("fits these models"), tr("device"),
                       tr("trained"), tr("validation at save time")}))
{
    auto* layout = new QVBoxLayout(this);
    header_->setWordWrap(true);
    layout->addWidget(header_);

    auto* choice = new QGridLayout;
    choice->addWidget(new QLabel(tr("Old model (today's, made the gallery):")), 0, 0);
    choice->addWidget(oldChooser_, 0, 1);
    choice->addWidget(new QLabel(tr("New model (the upgrade):")), 1, 0);
    choice->addWidget(newChooser_, 1, 1);
    choice->addWidget(new QLabel(tr("Today's gallery (old model):")), 2, 0);
    choice->addWidget(oldGallery_, 2, 1);
    oldGallery_->setToolTip(tr("The gallery the old model built: what Explore, Evaluate and demo mode search"));
    choice->addWidget(apply_, 0, 2, 3, 1, Qt::AlignVCenter);
    choice->setColumnStretch(3, 1);
    apply_->setToolTip(tr("Load both models, and when they load, save them and the gallery in the workspace's "
                          "upgrade.json"));
    layout->addLayout(choice);
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(status_);

    layout->addWidget(new QLabel(tr("<b>Models</b> of the upgrade")));
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
    const bool otherWorkspace = !session_ || !session || session_->dir() != session->dir();
    session_ = std::move(session);
    apply_->setEnabled(session_ != nullptr);
    oldChooser_->setSpec(q(summary.profile.oldModel));
    newChooser_->setSpec(q(summary.profile.newModel));
    oldGallery_->clear();
    for (const std::string& g : summary.galleries)
        oldGallery_->addItem(q(g));
    oldGallery_->setCurrentText(q(summary.profile.oldGallery));
    // An inferred upgrade with more than one possible answer: the choices
    // go into the choosers and the question above them, never a dialog.
    QStringList questions;
    for (const ProfileChoice& c : summary.profileChoices) {
        questions << q(c.question);
        for (const std::string& option : c.options) {
            if (c.field == "old_model")
                oldChooser_->setSpec(q(option));
            else if (c.field == "new_model")
                newChooser_->setSpec(q(option));
        }
        if (c.field == "old_model" && !c.options.empty())
            oldChooser_->setSpec(q(c.options.front()));
        if (c.field == "new_model" && !c.options.empty())
            newChooser_->setSpec(q(c.options.front()));
    }
    for (const std::string& m : summary.profileMissing)
        questions << tr("Unknown: %1.").arg(q(m));
    if (summary.profileSource == ProfileSource::Inferred && questions.isEmpty())
        status_->setText(tr("This workspace has no upgrade.json: the models and gallery above were found from what "
                            "its galleries and adapters record. Apply saves them to upgrade.json."));
    else if (!questions.isEmpty())
        status_->setText(tr("This workspace has no upgrade.json, and its galleries and adapters do not settle every "
                            "choice: %1 Choose above, then Apply.")
                             .arg(questions.join(QLatin1Char(' '))));
    else if (otherWorkspace)
        status_->clear();  // the last switch's outcome stays while this workspace is open
    if (otherWorkspace || summary.profileSource != ProfileSource::Saved)
        status_->setStyleSheet(QString());
    showSummary(summary);
}

void ModelsPanel::applyModels()
{
    if (!session_)
        return;
    std::shared_ptr<UpgradeSession> session = session_;
    const std::string oldSpec = oldChooser_->spec().toStdString();
    const std::string newSpec = newChooser_->spec().toStdString();
    const std::string oldGallery = oldGallery_->currentText().toStdString();
    apply_->setEnabled(false);
    status_->setStyleSheet(QString());
    status_->setText(tr("Loading %1 and %2 ...").arg(q(oldSpec), q(newSpec)));
    auto* job = new SwitchModelsJob(session_, oldSpec, newSpec, oldGallery);
    connect(job, &Job::succeeded, this, [this, job] {
        const WorkspaceSummary& summary = job->summary();
        apply_->setEnabled(true);
        QString text = tr("Saved in upgrade.json: old model %1 (gallery %2), new model %3.")
                           .arg(q(summary.profile.oldModel), q(summary.profile.oldGallery), q(summary.profile.newModel));
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
    });
    connect(job, &Job::failed, this, [this](const QString& error, bool cancelled) {
        apply_->setEnabled(true);
        status_->setStyleSheet(QStringLiteral("color: rgb(180, 30, 30)"));
        status_->setText(cancelled ? tr("Cancelled: upgrade.json is unchanged.")
                                   : tr("%1\nupgrade.json is unchanged.").arg(error));
        if (!cancelled)
            Q_EMIT switchFailed(error);
    });
    runner_->start(job);
}

void ModelsPanel::showSummary(const WorkspaceSummary& s)
{
    QStringList galleries;
    for (const std::string& g : s.galleries)
        galleries << q(g);
    const QString source = s.profileSource == ProfileSource::Saved      ? tr("from upgrade.json")
                           : s.profileSource == ProfileSource::Inferred ? tr("inferred, not saved yet")
                                                                        : tr("not known yet");
    header_->setText(tr("Workspace %1  -  galleries: %2  -  upgrade (%3): old gallery %4, new gallery %5, "
                        "evaluation split %6")
                         .arg(q(s.dir), galleries.isEmpty() ? tr("none") : galleries.join(QStringLiteral(", ")), source,
                              s.profile.oldGallery.empty() ? tr("none") : q(s.profile.oldGallery),
                              s.profile.newGallery.empty() ? tr("none") : q(s.profile.newGallery),
                              s.profile.evalSplit.empty() ? tr("none") : q(s.profile.evalSplit)));
    models_->setRowCount(static_cast<int>(s.models.size()));
    for (size_t i = 0; i < s.models.size(); ++i) {
        const ModelStatus& m = s.models[i];
        setRow(models_, static_cast<int>(i),
               {q(m.role), q(m.spec), m.loaded ? q(m.info.name) : QString(),
                m.loaded ? QString::number(m.info.embeddingDim) : QString(),
                m.loaded ? QStringLiteral("%1 px").arg(m.info.preprocess.inputResolution) : QString(),
                m.loaded ? q(m.info.device) : QString(), m.loaded ? q(m.info.fingerprint).left(16) : QString(),
                m.loaded ? tr("loaded") : m.spec.empty() ? q(m.error) : tr("failed: %1").arg(q(m.error))});
        if (!m.loaded) {
            // Not chosen yet is a question, not a failure.
            models_->item(static_cast<int>(i), 7)->setForeground(m.spec.empty() ? kStale : kError);
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
                QStringLiteral("%1, %2 s").arg(q(a.created)).arg(a.trainingSeconds, 0, 'f', 1), validationText(a)});
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

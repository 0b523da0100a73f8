#include "ui/workbench/ModelsPanel.h"

#include "ui/workbench/WorkspaceSession.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

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

}  // namespace

ModelsPanel::ModelsPanel(QWidget* parent)
    : QWidget(parent), header_(new QLabel),
      models_(table({tr("role"), tr("spec"), tr("name"), tr("dims"), tr("resolution"), tr("device"), tr("fingerprint"),
                     tr("status")})),
      adapters_(table({tr("adapter"), tr("method"), tr("kind"), tr("new -> old"), tr("device"), tr("trained"),
                       tr("metrics")}))
{
    auto* layout = new QVBoxLayout(this);
    header_->setWordWrap(true);
    layout->addWidget(header_);
    layout->addWidget(new QLabel(tr("<b>Models</b> (from upgrade.json)")));
    layout->addWidget(models_);
    layout->addWidget(new QLabel(tr("<b>Adapters</b> in this workspace")));
    layout->addWidget(adapters_, 1);
    models_->setMaximumHeight(140);
}

void ModelsPanel::setSummary(const WorkspaceSummary& s)
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
        if (!m.loaded)
            models_->item(static_cast<int>(i), 7)->setForeground(QColor(180, 30, 30));
        if (m.loaded)
            models_->item(static_cast<int>(i), 6)->setToolTip(q(m.info.fingerprint));
    }
    adapters_->setRowCount(static_cast<int>(s.adapters.size()));
    for (size_t i = 0; i < s.adapters.size(); ++i) {
        const AdapterInfo& a = s.adapters[i];
        const std::string metrics = a.metrics.dump();
        setRow(adapters_, static_cast<int>(i),
               {q(a.name), q(a.method), q(adapterKindName(a.kind)),
                QStringLiteral("%1 (%2-d) -> %3 (%4-d)").arg(q(a.newModel.name)).arg(a.newModel.dims).arg(q(a.oldModel.name)).arg(a.oldModel.dims),
                q(a.device), QStringLiteral("%1, %2 s").arg(q(a.created)).arg(a.trainingSeconds, 0, 'f', 1),
                q(metrics).left(200)});
        adapters_->item(static_cast<int>(i), 6)->setToolTip(q(a.metrics.dump(2)));
    }
}

}  // namespace xbt::ui

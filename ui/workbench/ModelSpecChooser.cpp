#include "ui/workbench/ModelSpecChooser.h"

#include "core/model/BuiltinModels.h"

#include <QFileDialog>
#include <QFileInfo>

namespace xbt::ui {

namespace {
// The "TorchScript file..." entry carries no spec; every other item's data is its spec.
constexpr int kSpecRole = Qt::UserRole;
}  // namespace

ModelSpecChooser::ModelSpecChooser(const QString& role, QWidget* parent) : QComboBox(parent), role_(role)
{
    for (const std::string& name : builtinModelNames())
        addItem(tr("%1 (built in)").arg(QString::fromStdString(name)), QString::fromStdString(name));
    addItem(tr("TorchScript file..."));
    setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    setMinimumContentsLength(24);
    setToolTip(tr("A built-in model, or a TorchScript archive (*.pt, *.ts, ...); a sidecar <stem>.json or model.json "
                  "beside the archive is read too"));
    connect(this, &QComboBox::activated, this, [this](int index) {
        if (itemData(index, kSpecRole).toString().isEmpty())
            chooseFile();
        else
            lastSpecIndex_ = index;
    });
}

QString ModelSpecChooser::spec() const { return currentData(kSpecRole).toString(); }

void ModelSpecChooser::setSpec(const QString& spec)
{
    if (spec.isEmpty())
        return;
    int index = findData(spec, kSpecRole);
    if (index < 0) {
        // Files go first: the built-in names and the dialog entry stay at the end.
        insertItem(0, QFileInfo(spec).fileName(), spec);
        setItemData(0, spec, Qt::ToolTipRole);
        index = 0;
    }
    setCurrentIndex(index);
    lastSpecIndex_ = index;
}

void ModelSpecChooser::chooseFile()
{
    const QString start = QFileInfo(spec()).exists() ? QFileInfo(spec()).absolutePath() : QString();
    const QString file = QFileDialog::getOpenFileName(
        this, tr("The %1 model: a TorchScript archive").arg(role_), start,
        tr("TorchScript archives (*.pt *.pth *.ts *.torchscript *.zip);;All files (*)"));
    if (file.isEmpty())
        setCurrentIndex(lastSpecIndex_);
    else
        setSpec(file);
}

}  // namespace xbt::ui

#pragma once
// Picks one model spec (as for --model): a built-in model, or a TorchScript
// archive chosen with a file dialog. The loader itself finds the archive's
// sidecar (<stem>.json or model.json beside it), so a file is all it takes.

#include <QComboBox>

namespace xbt::ui {

class ModelSpecChooser : public QComboBox {
    Q_OBJECT
public:
    // `role` ("old", "new") only words the file dialog's title.
    explicit ModelSpecChooser(const QString& role, QWidget* parent = nullptr);

    QString spec() const;
    // Selects `spec`, listing it first when it is a file not chosen before.
    void setSpec(const QString& spec);

private:
    void chooseFile();

    QString role_;
    int lastSpecIndex_ = 0;  // where to go back when the file dialog is cancelled
};

}  // namespace xbt::ui

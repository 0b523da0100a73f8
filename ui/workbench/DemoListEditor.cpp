#include "ui/workbench/DemoListEditor.h"

#include "core/workspace/DemoQueryList.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace xbt::ui {

DemoListEditor::DemoListEditor(const QString& file, const QString& text, QWidget* parent)
    : QDialog(parent), edit_(new QPlainTextEdit), count_(new QLabel)
{
    setWindowTitle(tr("Demo queries"));
    auto* layout = new QVBoxLayout(this);
    auto* help = new QLabel(tr("One query per line, shown one at a time in demo mode. Blank lines and lines starting "
                               "with # are skipped.\nSaved to %1")
                                .arg(file));
    help->setWordWrap(true);
    help->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(help);
    edit_->setPlainText(text);
    edit_->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(edit_, 1);
    layout->addWidget(count_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(edit_, &QPlainTextEdit::textChanged, this, &DemoListEditor::updateCount);
    updateCount();
    resize(720, 480);
}

QString DemoListEditor::text() const { return edit_->toPlainText(); }

void DemoListEditor::setText(const QString& text) { edit_->setPlainText(text); }

int DemoListEditor::queryCount() const
{
    return static_cast<int>(parseDemoQueries(edit_->toPlainText().toStdString()).size());
}

void DemoListEditor::updateCount()
{
    const int n = queryCount();
    count_->setText(n == 0 ? tr("No queries yet: demo mode then only takes typed queries.") : tr("%n queries", nullptr, n));
}

}  // namespace xbt::ui

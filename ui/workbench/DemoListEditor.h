#pragma once
// Edits a workspace's demo list as the plain text it is stored as (one query
// per line, # for comments), with a live count of the queries it holds.
// The dialog only edits text: reading and saving the file happen in the
// JobRunner (DemoView), never on the GUI thread.

#include <QDialog>

class QLabel;
class QPlainTextEdit;

namespace xbt::ui {

class DemoListEditor : public QDialog {
    Q_OBJECT
public:
    DemoListEditor(const QString& file, const QString& text, QWidget* parent = nullptr);

    QString text() const;
    void setText(const QString& text);
    int queryCount() const;

private:
    void updateCount();

    QPlainTextEdit* edit_;
    QLabel* count_;
};

}  // namespace xbt::ui

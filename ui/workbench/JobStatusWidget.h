#pragma once
// The status bar's view of the job runner: what runs, how far it is, and a
// Cancel button. Shows the most recently started job that still runs.

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace xbt::ui {

class JobRunner;

class JobStatusWidget : public QWidget {
    Q_OBJECT
public:
    explicit JobStatusWidget(JobRunner* runner, QWidget* parent = nullptr);

private:
    void onStarted(int id, const QString& title);
    void onProgress(int id, const QString& stage, qint64 done, qint64 total, const QString& detail);
    void onFinished(int id);

    JobRunner* runner_;
    QList<int> running_;
    QHash<int, QString> titles_;
    QLabel* label_;
    QProgressBar* bar_;
    QPushButton* cancel_;
};

}  // namespace xbt::ui

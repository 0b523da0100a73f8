#pragma once
// The progress of one job, in the panel that started it: stage, count,
// rate and ETA (as the JobRunner words them) and a bar. The status bar shows
// only the latest job; a panel shows its own.

#include <QWidget>

class QLabel;
class QProgressBar;

namespace xbt::ui {

class JobRunner;

class JobProgressView : public QWidget {
    Q_OBJECT
public:
    explicit JobProgressView(JobRunner* runner, QWidget* parent = nullptr);
    // Follows job `id` until it finishes; shows nothing when no job is followed.
    void follow(int id, const QString& title);
    QString text() const;

private:
    void onProgress(int id, const QString& stage, qint64 done, qint64 total, const QString& detail);

    int job_ = 0;
    QString title_;
    QLabel* label_;
    QProgressBar* bar_;
};

}  // namespace xbt::ui

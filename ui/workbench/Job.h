#pragma once
// One named unit of engine work for the JobRunner, after QGIS's QgsTask:
// what it is called, which workspace it works on, what it does on a worker
// thread (run), and, once done, its results, read on the GUI thread when
// `succeeded` arrives. Panels build a job from their widgets, connect to it
// and start it; the runner owns it from then on and deletes it after its
// signals. The named jobs are in WorkspaceJobs.h.

#include <QObject>
#include <QString>

namespace xbt::ui {

class JobContext;

class Job : public QObject {
    Q_OBJECT
public:
    // `workspaceDir`: the workspace the job works on; the runner cancels its
    // jobs when that workspace closes. Empty for work tied to none.
    explicit Job(QString title, QString workspaceDir = {});
    ~Job() override;

    const QString& title() const { return title_; }
    const QString& workspaceDir() const { return workspaceDir_; }
    int id() const { return id_; }  // the runner's id, once started

    // Worker thread: the work itself. Throws xbt::Error, or xbt::Cancelled
    // when the context's cancel token stops it.
    virtual void run(JobContext& context) = 0;

Q_SIGNALS:
    // GUI thread, after run() returned: the job's results are ready.
    void succeeded();
    // GUI thread, after run() threw.
    void failed(const QString& error, bool cancelled);

private:
    friend class JobRunner;
    QString title_;
    QString workspaceDir_;
    int id_ = 0;
};

}  // namespace xbt::ui

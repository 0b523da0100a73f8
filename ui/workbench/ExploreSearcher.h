#pragma once
// Runs Explore searches (UpgradeSession::compare, as a CompareJob) in the JobRunner for a
// view that shows one query at a time: the Explore panel and demo mode. The
// latest query wins: a newer one cancels the running one, and a superseded
// result that still arrives is dropped, so fast typing or paging never
// shows stale columns.

#include "ui/workbench/ExploreTypes.h"

#include <QObject>
#include <QSize>

#include <memory>

namespace xbt {
class UpgradeSession;
}  // namespace xbt

namespace xbt::ui {

class JobRunner;

class ExploreSearcher : public QObject {
    Q_OBJECT
public:
    explicit ExploreSearcher(JobRunner* runner, QObject* parent = nullptr);

    void setSession(std::shared_ptr<UpgradeSession> session) { session_ = std::move(session); }
    bool hasSession() const { return session_ != nullptr; }
    // An image query's picture is decoded on the worker at this size.
    void setPreviewSize(QSize size) { previewSize_ = size; }
    void search(const ComparisonQuery& query);
    bool busy() const;

Q_SIGNALS:
    void finished(const xbt::ui::ExploreOutcome& outcome);
    void failed(const QString& error);

private:
    JobRunner* runner_;
    std::shared_ptr<UpgradeSession> session_;
    QSize previewSize_{72, 72};
    int generation_ = 0;
    int runningJob_ = 0;
};

}  // namespace xbt::ui

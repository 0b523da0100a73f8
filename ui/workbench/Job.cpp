#include "ui/workbench/Job.h"

namespace xbt::ui {

Job::Job(QString title, QString workspaceDir) : title_(std::move(title)), workspaceDir_(std::move(workspaceDir)) {}

Job::~Job() = default;

}  // namespace xbt::ui

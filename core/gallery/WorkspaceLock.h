#pragma once
// The exclusive writer lock of a workspace: flock() on WS/.lock, held for the
// lock object's life. The kernel drops it when the process dies (even by
// kill -9), so a crashed writer never leaves a stale lock behind.

#include <string>

namespace xbt {

class WorkspaceLock {
public:
    // Throws xbt::Error "workspace WS is in use by process PID (...)" when
    // another open file description holds the lock.
    explicit WorkspaceLock(const std::string& workspaceDir);
    ~WorkspaceLock();
    WorkspaceLock(const WorkspaceLock&) = delete;
    WorkspaceLock& operator=(const WorkspaceLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace xbt

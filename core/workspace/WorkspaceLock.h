#pragma once
// An exclusive lock on one thing a workspace holds (a gallery, an adapter,
// the sample build): flock() on WS/locks/KIND-NAME.lock, held for the lock
// object's life. Writers of different things never wait for each other;
// readers take no lock. The kernel drops the lock when the process dies
// (even by kill -9), so a crashed writer never leaves a stale lock behind.
//
// The lock file is opened without following links and must be a regular
// file: a link planted there is refused, never written through.

#include <string>

namespace xbt {

class WorkspaceLock {
public:
    // Throws xbt::Error "WHAT is in use by process PID (...)" when another
    // open file description holds the lock; `what` names the thing
    // ("gallery 'photos' in workspace /w").
    WorkspaceLock(const std::string& lockFile, const std::string& what);
    ~WorkspaceLock();
    WorkspaceLock(WorkspaceLock&& other) noexcept;
    WorkspaceLock& operator=(WorkspaceLock&& other) noexcept;
    WorkspaceLock(const WorkspaceLock&) = delete;
    WorkspaceLock& operator=(const WorkspaceLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace xbt

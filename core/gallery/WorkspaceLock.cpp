#include "core/gallery/WorkspaceLock.h"

#include "core/util/Error.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <unistd.h>

namespace xbt {

namespace {

std::string processDescription()
{
    std::string command;
    std::ifstream cmdline("/proc/self/cmdline", std::ios::binary);
    std::string part;
    while (std::getline(cmdline, part, '\0'))
        command += (command.empty() ? "" : " ") + part;
    const std::time_t now = std::time(nullptr);
    char started[32];
    std::strftime(started, sizeof started, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
    std::ostringstream s;
    s << ::getpid() << " (" << (command.empty() ? "unknown command" : command) << ", since " << started << ")";
    return s.str();
}

}  // namespace

WorkspaceLock::WorkspaceLock(const std::string& workspaceDir)
{
    const std::string path = workspaceDir + "/.lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
        throw Error(path + ": cannot open the workspace lock file (" + std::strerror(errno) + ")");
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        std::string holder;
        char buf[1024];
        const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
        if (n > 0)
            holder.assign(buf, static_cast<size_t>(n));
        while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0'))
            holder.pop_back();
        ::close(fd_);
        fd_ = -1;
        if (err == EWOULDBLOCK)
            throw Error("workspace " + workspaceDir + " is in use by process " +
                        (holder.empty() ? std::string("(unknown)") : holder) +
                        "; wait for it to finish, or stop it, then try again");
        throw Error(path + ": cannot lock the workspace (" + std::strerror(err) + ")");
    }
    // Tell a second writer who holds the lock (the content is informative only:
    // the flock is what excludes).
    const std::string me = processDescription() + "\n";
    if (::ftruncate(fd_, 0) == 0)
        (void)!::pwrite(fd_, me.data(), me.size(), 0);
}

WorkspaceLock::~WorkspaceLock()
{
    if (fd_ >= 0)
        ::close(fd_);
}

}  // namespace xbt

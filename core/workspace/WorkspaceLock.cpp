#include "core/workspace/WorkspaceLock.h"

#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
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

// The holder's line as another process wrote it: shown in an error, so
// control characters (a crafted file's terminal escapes) become '?'.
std::string printableHolder(const char* bytes, size_t n)
{
    std::string out;
    for (size_t i = 0; i < n && bytes[i] != '\n' && bytes[i] != '\0'; ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        out.push_back(c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c));
    }
    return out;
}

}  // namespace

WorkspaceLock::WorkspaceLock(const std::string& path, const std::string& what)
{
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, newFileMode());
    if (fd_ < 0) {
        if (errno == ELOOP)
            throw Error(path + ": is a symbolic link; a workspace's lock files must be plain files (remove the link "
                               "and try again)");
        throw Error(path + ": cannot open the lock file (" + std::strerror(errno) + ")");
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd_);
        fd_ = -1;
        throw Error(path + ": is not a regular file; a workspace's lock files must be plain files (remove it and "
                           "try again)");
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        char buf[1024];
        const ssize_t n = ::pread(fd_, buf, sizeof buf, 0);
        const std::string holder = n > 0 ? printableHolder(buf, static_cast<size_t>(n)) : std::string();
        ::close(fd_);
        fd_ = -1;
        if (err == EWOULDBLOCK)
            throw Error(what + " is in use by process " + (holder.empty() ? std::string("(unknown)") : holder) +
                        "; wait for it to finish, or stop it, then try again");
        throw Error(path + ": cannot lock (" + std::strerror(err) + ")");
    }
    // Tell a second writer who holds the lock (the content is informative only:
    // the flock is what excludes).
    const std::string me = processDescription() + "\n";
    if (::ftruncate(fd_, 0) == 0)
        (void)!::pwrite(fd_, me.data(), me.size(), 0);
}

WorkspaceLock::WorkspaceLock(WorkspaceLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

WorkspaceLock& WorkspaceLock::operator=(WorkspaceLock&& other) noexcept
{
    if (this != &other) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

WorkspaceLock::~WorkspaceLock()
{
    if (fd_ >= 0)
        ::close(fd_);
}

}  // namespace xbt

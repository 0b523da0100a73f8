#include "core/util/FileUtil.h"

#include "core/util/Error.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace xbt {

namespace fs = std::filesystem;

namespace {

std::string fileTypeProblem(mode_t mode)
{
    if (S_ISDIR(mode))
        return "is a folder, not a file";
    if (S_ISFIFO(mode))
        return "is a FIFO (named pipe), not a regular file";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "is a device, not a regular file";
    if (S_ISSOCK(mode))
        return "is a socket, not a regular file";
    return "is not a regular file";
}

// The umask, read without changing it (umask(2) can only set it, which
// would race with other threads creating files).
mode_t processUmask()
{
    static const mode_t mask = [] {
        std::ifstream status("/proc/self/status");
        std::string line;
        while (std::getline(status, line))
            if (line.rfind("Umask:", 0) == 0)
                return static_cast<mode_t>(std::strtoul(line.c_str() + 6, nullptr, 8));
        return static_cast<mode_t>(022);
    }();
    return mask;
}

void syncDirectory(const std::string& dir)
{
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)::fsync(fd);
        ::close(fd);
    }
}

}  // namespace

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept
{
    if (this != &other) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

FileDescriptor::~FileDescriptor()
{
    if (fd_ >= 0)
        ::close(fd_);
}

FileDescriptor openRegularFile(const std::string& path, std::string& why)
{
    // Non-blocking, so that opening a FIFO returns at once; the type check
    // then refuses it before anything reads.
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (fd.get() < 0) {
        why = errno == ENOENT ? "does not exist" : std::string("cannot open (") + std::strerror(errno) + ")";
        return FileDescriptor();
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        why = std::string("cannot read (") + std::strerror(errno) + ")";
        return FileDescriptor();
    }
    if (!S_ISREG(st.st_mode)) {
        why = fileTypeProblem(st.st_mode);
        return FileDescriptor();
    }
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags >= 0)
        (void)::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

FileDescriptor openRegularFile(const std::string& path)
{
    std::string why;
    FileDescriptor fd = openRegularFile(path, why);
    if (fd.get() < 0)
        throw Error(path + ": " + why);
    return fd;
}

void requireRegularFile(const std::string& path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw Error(path + ": " + (errno == ENOENT ? std::string("does not exist")
                                                   : std::string("cannot open (") + std::strerror(errno) + ")"));
    if (!S_ISREG(st.st_mode))
        throw Error(path + ": " + fileTypeProblem(st.st_mode));
}

std::string readAll(int fd, const std::string& path)
{
    std::string content;
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw Error(path + ": read error (" + std::strerror(errno) + ")");
        }
        if (n == 0)
            break;
        content.append(buf, static_cast<size_t>(n));
    }
    return content;
}

std::string readFileBytes(const std::string& path)
{
    const FileDescriptor fd = openRegularFile(path);
    return readAll(fd.get(), path);
}

std::vector<std::string> readTextLines(const std::string& path)
{
    const std::string content = readFileBytes(path);
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < content.size()) {
        size_t end = content.find('\n', start);
        if (end == std::string::npos)
            end = content.size();
        std::string line = content.substr(start, end - start);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        lines.push_back(std::move(line));
        start = end + 1;
    }
    return lines;
}

unsigned newFileMode() { return 0644u & ~static_cast<unsigned>(processUmask()); }

void capProcessUmask()
{
    const mode_t current = ::umask(022);
    ::umask(current | 022);
}

void checkReplaceable(const std::string& path)
{
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0)
        return;
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
        throw Error(path + ": " + fileTypeProblem(st.st_mode) + "; refusing to replace it: give the path of a file");
}

void writeFileAtomicWith(const std::string& path, const std::function<void(const std::string& tmp)>& write)
{
    checkReplaceable(path);
    // A fresh name (O_EXCL): nothing planted beside the target can be written through.
    std::string tmp = path + ".tmp-XXXXXX";
    const int created = ::mkostemp(tmp.data(), O_CLOEXEC);
    if (created < 0)
        throw Error(path + ": cannot write (" + std::strerror(errno) + ")");
    ::close(created);
    const auto fail = [&](const std::string& what) {
        ::unlink(tmp.c_str());
        throw Error(path + ": " + what);
    };
    try {
        write(tmp);
    } catch (...) {
        ::unlink(tmp.c_str());
        throw;
    }
    const int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        fail(std::string("cannot write (") + std::strerror(errno) + ")");
    const bool synced = ::fchmod(fd, newFileMode()) == 0 && ::fsync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!synced)
        fail(std::string("write failed (") + std::strerror(err) + ")");
    if (::rename(tmp.c_str(), path.c_str()) != 0)
        fail(std::string("cannot replace file (") + std::strerror(errno) + ")");
    syncDirectory(parentDirectory(path));
}

void writeFileAtomic(const std::string& path, const std::string& content)
{
    writeFileAtomicWith(path, [&](const std::string& tmp) {
        const int fd = ::open(tmp.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
            throw Error(path + ": cannot write (" + std::strerror(errno) + ")");
        size_t written = 0;
        while (written < content.size()) {
            const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                const std::string why = std::strerror(errno);
                ::close(fd);
                throw Error(path + ": write failed (" + why + ")");
            }
            written += static_cast<size_t>(n);
        }
        if (::close(fd) != 0)
            throw Error(path + ": write failed (" + std::strerror(errno) + ")");
    });
}

void createDirectories(const std::string& path)
{
    if (path.empty())
        return;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            throw Error(path + ": " + fileTypeProblem(st.st_mode) + "; a folder is needed there");
        return;
    }
    const fs::path p(path);
    if (p.has_parent_path() && p.parent_path() != p)
        createDirectories(p.parent_path().string());
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST)
        throw Error(path + ": cannot create the folder (" + std::strerror(errno) + ")");
}

void ensureRealFolder(const std::string& path, const std::string& purpose)
{
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno != ENOENT)
            throw Error(path + ": cannot read (" + std::strerror(errno) + ")");
        createDirectories(path);
        return;
    }
    if (S_ISLNK(st.st_mode))
        throw Error(path + " is a symbolic link; " + purpose + " (replace the link with a folder)");
    if (!S_ISDIR(st.st_mode))
        throw Error(path + " " + fileTypeProblem(st.st_mode) + "; " + purpose + " (move it away)");
}

bool isPlainFile(const std::string& path)
{
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool fileExists(const std::string& path)
{
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

std::string parentDirectory(const std::string& path)
{
    const fs::path p(path);
    return p.has_parent_path() ? p.parent_path().string() : std::string(".");
}

std::string resolvePath(const std::string& base, const std::string& relative)
{
    const fs::path r(relative);
    if (r.is_absolute())
        return r.string();
    return (fs::path(base) / r).lexically_normal().string();
}

}  // namespace xbt

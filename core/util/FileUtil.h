#pragma once
// File helpers with user-facing errors (the path is always named) and the
// project's rules for touching the file system:
//  - only regular files are read: a folder, FIFO, device or socket given
//    where a file is expected is refused with what it is, and a FIFO is never
//    opened blocking (it would hang the program);
//  - files are replaced atomically, never written through whatever stands at
//    the path: something there that is not a regular file is refused;
//  - new files and folders get the user's umask but never more than 0644 and
//    0755, whatever the umask says.

#include <functional>
#include <string>
#include <vector>

namespace xbt {

// An open file descriptor, closed with the object.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd = -1) : fd_(fd) {}
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.release()) {}
    FileDescriptor& operator=(FileDescriptor&& other) noexcept;
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor();
    int get() const { return fd_; }
    int release()
    {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_;
};

// Opens `path` (following links) for reading when it is a regular file.
// Otherwise returns an invalid descriptor and sets `why` to what is wrong,
// without the path ("is a folder, not a file", "cannot open (No such file or
// directory)"), for callers that throw their own error types.
FileDescriptor openRegularFile(const std::string& path, std::string& why);
// The same, throwing xbt::Error "PATH: why".
FileDescriptor openRegularFile(const std::string& path);
// For paths handed to a library that opens them itself (LibTorch, SQLite,
// zlib): throws "PATH: why" unless `path` is a regular file now.
void requireRegularFile(const std::string& path);
// Reads the whole descriptor.
std::string readAll(int fd, const std::string& path);

std::string readFileBytes(const std::string& path);
// Reads a UTF-8 text file into lines, line endings (\n or \r\n) stripped.
std::vector<std::string> readTextLines(const std::string& path);
// Writes to a fresh temporary file beside `path`, syncs, then renames over
// `path`: readers see either the old file or the new one, never a torn
// write. Refuses when `path` is a folder, FIFO or device.
void writeFileAtomic(const std::string& path, const std::string& content);
// As writeFileAtomic, for a library that writes the file itself: `write` gets
// the temporary file's path (already created, empty) and fills it.
void writeFileAtomicWith(const std::string& path, const std::function<void(const std::string& tmp)>& write);
// Throws unless `path` is absent, a regular file, or a link (which a rename
// replaces without writing through it).
void checkReplaceable(const std::string& path);
// mkdir -p with mode 0755 (less the umask). Throws naming the folder.
void createDirectories(const std::string& path);
// A folder a program owns (a workspace's cache, lock or data folder): made
// when missing; refused when it is a symbolic link or not a folder, so that
// nothing meant for it is written elsewhere. `purpose` ends the error
// ("the workspace's own folders must be real folders inside it").
void ensureRealFolder(const std::string& path, const std::string& purpose);
// Whether `path` itself (not a link's target) is a regular file.
bool isPlainFile(const std::string& path);
// The mode new files get: 0644 less the process umask.
unsigned newFileMode();
// Adds 022 to the process umask. Called first thing in each program's main
// (before any thread starts): whatever a library then creates (SQLite,
// FAISS, LibTorch, Qt) is never group- or world-writable either.
void capProcessUmask();
bool fileExists(const std::string& path);
// The directory part of a path ("." when there is none).
std::string parentDirectory(const std::string& path);
// `relative` resolved against `base` when it is not absolute.
std::string resolvePath(const std::string& base, const std::string& relative);

}  // namespace xbt

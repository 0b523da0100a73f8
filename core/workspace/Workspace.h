#pragma once
// A workspace: the folder that holds a user's galleries, adapters, caches and
// results (its layout on disk: WorkspaceLayout).
//
// Whoever writes a gallery or an adapter holds that thing's lock for the
// duration (lockGallery, lockAdapter): writers of different things run side
// by side, two writers of one thing do not. Readers take no lock (SQLite's
// WAL lets them read while a writer commits). The workspace's own folders
// must be real folders inside it: a symbolic link there is refused, so that
// no cache or lock is written outside the workspace.

#include "core/workspace/WorkspaceLayout.h"
#include "core/workspace/WorkspaceLock.h"

#include <string>
#include <vector>

namespace xbt {

class Workspace : public WorkspaceLayout {
public:
    enum class Mode { ReadOnly, ReadWrite };
    static constexpr int kSchemaVersion = 1;

    // ReadWrite creates the workspace when `dir` is missing or empty; ReadOnly
    // requires an existing one. Throws xbt::Error for a folder that is not a
    // workspace, a workspace of another schema version, or one whose own
    // folders are links.
    static Workspace open(const std::string& dir, Mode mode);

    bool writable() const { return mode_ == Mode::ReadWrite; }

    // The writer lock of one gallery or adapter (see WorkspaceLock); throws
    // naming the process that holds it.
    WorkspaceLock lockGallery(const std::string& name) const;
    WorkspaceLock lockAdapter(const std::string& name) const;
    // Any other thing written as a whole (e.g. "sample-build").
    WorkspaceLock lock(const std::string& kind, const std::string& name) const;

    bool hasGallery(const std::string& name) const;
    // Gallery names (folders holding gallery.sqlite), sorted.
    std::vector<std::string> galleries() const;
    // Adapter names (folders holding adapter.json), sorted.
    std::vector<std::string> adapters() const;
    // Rename and delete need the workspace open for writing; they take the
    // locks of the things they touch.
    void renameGallery(const std::string& from, const std::string& to);
    void deleteGallery(const std::string& name);
    void renameAdapter(const std::string& from, const std::string& to);
    void deleteAdapter(const std::string& name);

    // Throws xbt::Error when `name` cannot be a gallery or adapter folder name.
    static void checkName(const std::string& what, const std::string& name);

private:
    Workspace(const std::string& dir, Mode mode) : WorkspaceLayout(dir), mode_(mode) {}
    void requireWritable(const std::string& action) const;
    void renameEntry(const std::string& kind, const std::string& from, const std::string& to,
                     const std::string& source, const std::string& target);

    Mode mode_;
};

}  // namespace xbt

#pragma once
// A workspace: the folder that holds a user's galleries, adapters, caches and
// results.
//
//     WS/workspace.json        {"schema_version": 1}
//     WS/.lock                 writer lock (see WorkspaceLock)
//     WS/galleries/NAME/       one gallery: gallery.sqlite (+ FAISS index caches)
//     WS/adapters/NAME/        one adapter: adapter.json (+ weights)
//     WS/cache/thumbnails/     thumbnail cache
//     WS/results/              reports
//
// Opened for writing, the workspace holds its lock for the object's life;
// read-only opens take no lock (SQLite's WAL lets them read while a writer
// commits).

#include <memory>
#include <string>
#include <vector>

namespace xbt {

class WorkspaceLock;

class Workspace {
public:
    enum class Mode { ReadOnly, ReadWrite };
    static constexpr int kSchemaVersion = 1;

    // ReadWrite creates the workspace when `dir` is missing or empty; ReadOnly
    // requires an existing one. Throws xbt::Error for a folder that is not a
    // workspace, a workspace of another schema version, or a lock held by
    // another process.
    static Workspace open(const std::string& dir, Mode mode);

    Workspace(Workspace&&) noexcept;
    Workspace& operator=(Workspace&&) noexcept;
    ~Workspace();

    const std::string& dir() const { return dir_; }
    bool writable() const { return lock_ != nullptr; }

    std::string galleryDir(const std::string& name) const;
    std::string adapterDir(const std::string& name) const;
    std::string thumbnailDir() const;
    std::string resultsDir() const;

    bool hasGallery(const std::string& name) const;
    // Gallery names (folders holding gallery.sqlite), sorted.
    std::vector<std::string> galleries() const;
    // Adapter names (folders holding adapter.json), sorted.
    std::vector<std::string> adapters() const;
    // Rename and delete need the workspace open for writing.
    void renameGallery(const std::string& from, const std::string& to);
    void deleteGallery(const std::string& name);
    void renameAdapter(const std::string& from, const std::string& to);
    void deleteAdapter(const std::string& name);

    // Throws xbt::Error when `name` cannot be a gallery or adapter folder name.
    static void checkName(const std::string& what, const std::string& name);

private:
    Workspace(std::string dir, std::unique_ptr<WorkspaceLock> lock);
    void requireWritable(const std::string& action) const;
    void renameEntry(const std::string& kind, const std::string& folder, const std::string& from,
                     const std::string& to);

    std::string dir_;
    std::unique_ptr<WorkspaceLock> lock_;
};

}  // namespace xbt

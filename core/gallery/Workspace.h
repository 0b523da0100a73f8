#pragma once
// A workspace: the folder that holds a user's galleries, adapters, caches and
// results.
//
//     WS/workspace.json        {"schema_version": 1}
//     WS/locks/                one writer lock per thing written (see WorkspaceLock)
//     WS/galleries/NAME/       one gallery: gallery.sqlite (+ FAISS index caches)
//     WS/adapters/NAME/        one adapter: adapter.json (+ weights)
//     WS/cache/thumbnails/     thumbnail cache
//     WS/cache/embeddings/     corpus and split embedding cache
//     WS/results/              reports
//
// Whoever writes a gallery or an adapter holds that thing's lock for the
// duration (lockGallery, lockAdapter): writers of different things run side
// by side, two writers of one thing do not. Readers take no lock (SQLite's
// WAL lets them read while a writer commits). The workspace's own folders
// must be real folders inside it: a symbolic link there is refused, so that
// no cache or lock is written outside the workspace.

#include "core/gallery/WorkspaceLock.h"

#include <string>
#include <vector>

namespace xbt {

class Workspace {
public:
    enum class Mode { ReadOnly, ReadWrite };
    static constexpr int kSchemaVersion = 1;

    // ReadWrite creates the workspace when `dir` is missing or empty; ReadOnly
    // requires an existing one. Throws xbt::Error for a folder that is not a
    // workspace, a workspace of another schema version, or one whose own
    // folders are links.
    static Workspace open(const std::string& dir, Mode mode);

    const std::string& dir() const { return dir_; }
    bool writable() const { return mode_ == Mode::ReadWrite; }

    // The writer lock of one gallery or adapter (see WorkspaceLock); throws
    // naming the process that holds it.
    WorkspaceLock lockGallery(const std::string& name) const;
    WorkspaceLock lockAdapter(const std::string& name) const;
    // Any other thing written as a whole (e.g. "sample-build").
    WorkspaceLock lock(const std::string& kind, const std::string& name) const;

    std::string galleryDir(const std::string& name) const;
    std::string adapterDir(const std::string& name) const;
    std::string thumbnailDir() const;
    std::string embeddingCacheDir() const;
    std::string resultsDir() const;

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
    Workspace(std::string dir, Mode mode) : dir_(std::move(dir)), mode_(mode) {}
    void requireWritable(const std::string& action) const;
    void renameEntry(const std::string& kind, const std::string& folder, const std::string& from,
                     const std::string& to);

    std::string dir_;
    Mode mode_;
};

}  // namespace xbt

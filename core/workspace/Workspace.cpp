#include "core/workspace/Workspace.h"

#include "core/util/JsonText.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

namespace xbt {

namespace fs = std::filesystem;

namespace {

const char* const kOwnFolderRule = "the workspace's own folders must be real folders inside it";

// The workspace's own folders: real folders, never links, so that nothing
// the workspace writes (caches, locks) lands outside it. Created when
// missing and `create` is set.
void checkOwnFolder(const std::string& dir, const std::string& sub, bool create)
{
    const std::string path = dir + "/" + sub;
    if (!create && !fs::exists(fs::symlink_status(path)))
        return;
    ensureRealFolder(path, kOwnFolderRule);
}

std::string describeVersion(const std::string& file, int found)
{
    if (found > Workspace::kSchemaVersion)
        return file + ": schema_version " + std::to_string(found) + " was written by a newer xbt (this build reads " +
               std::to_string(Workspace::kSchemaVersion) + "); use the newer xbt or another workspace";
    return file + ": schema_version " + std::to_string(found) + " is older than this build's " +
           std::to_string(Workspace::kSchemaVersion) + " and cannot be migrated; create a new workspace";
}

void checkManifest(const std::string& file)
{
    nlohmann::json manifest;
    try {
        manifest = readJsonFile(file);
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + "; restore it or create a new workspace");
    }
    if (!manifest.is_object() || !manifest.contains("schema_version") || !manifest["schema_version"].is_number_integer())
        throw Error(file + ": missing integer \"schema_version\"; restore it or create a new workspace");
    const int version = manifest["schema_version"].get<int>();
    if (version != Workspace::kSchemaVersion)
        throw Error(describeVersion(file, version));
}

// Nothing but what a workspace being created right now by another process
// (or an older version's lock file) leaves before its manifest.
bool emptyButForCreation(const std::string& dir)
{
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name != ".lock" && name.rfind("workspace.json.tmp-", 0) != 0)
            return false;
    }
    return !ec;
}

std::vector<std::string> entriesHolding(const std::string& folder, const std::string& marker)
{
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_directory(ec) && fs::exists(it->path() / marker, ec))
            names.push_back(it->path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

Workspace Workspace::open(const std::string& dirArg, Mode mode)
{
    const WorkspaceLayout layout(dirArg);
    const std::string& dir = layout.dir();
    const std::string manifest = layout.manifestFile();
    std::error_code ec;
    const bool exists = fs::is_directory(dir, ec);
    if (exists && !fs::exists(manifest, ec)) {
        if (mode == Mode::ReadOnly || !emptyButForCreation(dir))
            throw Error(dir + " is not an xbt workspace (no workspace.json)" +
                        (mode == Mode::ReadOnly ? std::string("; create one with xbt index")
                                                : std::string(" and not empty; choose a new or empty folder")));
    }
    if (!exists) {
        if (mode == Mode::ReadOnly)
            throw Error("workspace " + dir + " does not exist; create it with xbt index FOLDER --workspace " + dir);
        createDirectories(dir);
    }
    if (fs::exists(manifest, ec))
        checkManifest(manifest);
    else
        writeFileAtomic(manifest, nlohmann::json{{"schema_version", kSchemaVersion}}.dump(2) + "\n");
    for (size_t i = 0; i < kOwnFolderCount; ++i)
        checkOwnFolder(dir, kOwnFolders[i], mode == Mode::ReadWrite);
    return Workspace(dir, mode);
}

WorkspaceLock Workspace::lock(const std::string& kind, const std::string& name) const
{
    checkName(kind, name);
    checkOwnFolder(dir(), "locks", true);
    return WorkspaceLock(lockFile(kind, name), kind + " '" + name + "' in workspace " + dir());
}

WorkspaceLock Workspace::lockGallery(const std::string& name) const { return lock("gallery", name); }
WorkspaceLock Workspace::lockAdapter(const std::string& name) const { return lock("adapter", name); }

bool Workspace::hasGallery(const std::string& name) const
{
    std::error_code ec;
    return fs::exists(fs::path(galleryDir(name)) / "gallery.sqlite", ec);
}

std::vector<std::string> Workspace::galleries() const { return entriesHolding(galleriesDir(), "gallery.sqlite"); }
std::vector<std::string> Workspace::adapters() const { return entriesHolding(adaptersDir(), "adapter.json"); }

void Workspace::checkName(const std::string& what, const std::string& name)
{
    const bool controlCharacter =
        std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
    const bool bad = name.empty() || name == "." || name == ".." || name.size() > 200 ||
                     name.find_first_of("/\\") != std::string::npos || name[0] == '.' || controlCharacter;
    if (bad)
        throw Error(what + " name '" + name +
                    "' is not allowed: use a non-empty name without slashes or control characters that does not "
                    "start with a dot");
    // "default " would list as a second "default".
    if (name.front() == ' ' || name.back() == ' ')
        throw Error(what + " name '" + name + "' starts or ends with a space; remove the space");
}

void Workspace::requireWritable(const std::string& action) const
{
    if (!writable())
        throw Error("cannot " + action + ": workspace " + dir() + " was opened read-only");
}

void Workspace::renameEntry(const std::string& kind, const std::string& from, const std::string& to,
                            const std::string& source, const std::string& target)
{
    requireWritable("rename " + kind + " " + from);
    checkName(kind, from);
    checkName(kind, to);
    const WorkspaceLock lockFrom = lock(kind, from);
    const WorkspaceLock lockTo = lock(kind, to);
    std::error_code ec;
    if (!fs::is_directory(source, ec))
        throw Error(kind + " '" + from + "' does not exist in workspace " + dir());
    if (fs::exists(target, ec))
        throw Error(kind + " '" + to + "' already exists in workspace " + dir() + "; choose another name");
    fs::rename(source, target, ec);
    if (ec)
        throw Error("cannot rename " + kind + " '" + from + "' to '" + to + "' (" + ec.message() + ")");
}

void Workspace::renameGallery(const std::string& from, const std::string& to)
{
    renameEntry("gallery", from, to, galleryDir(from), galleryDir(to));
    // Thumbnails are keyed by gallery name: move them along (a failure only
    // costs regenerating them).
    std::error_code ec;
    if (fs::exists(galleryThumbnailDir(from), ec) && !fs::exists(galleryThumbnailDir(to), ec))
        fs::rename(galleryThumbnailDir(from), galleryThumbnailDir(to), ec);
}

void Workspace::deleteGallery(const std::string& name)
{
    checkName("gallery", name);
    requireWritable("delete gallery " + name);
    const WorkspaceLock held = lockGallery(name);
    std::error_code ec;
    if (!fs::is_directory(galleryDir(name), ec))
        throw Error("gallery '" + name + "' does not exist in workspace " + dir());
    fs::remove_all(galleryDir(name), ec);
    if (ec)
        throw Error("cannot delete gallery '" + name + "' (" + ec.message() + ")");
    fs::remove_all(galleryThumbnailDir(name), ec);
}

void Workspace::renameAdapter(const std::string& from, const std::string& to)
{
    renameEntry("adapter", from, to, adapterDir(from), adapterDir(to));
}

void Workspace::deleteAdapter(const std::string& name)
{
    checkName("adapter", name);
    requireWritable("delete adapter " + name);
    const WorkspaceLock held = lockAdapter(name);
    std::error_code ec;
    if (!fs::is_directory(adapterDir(name), ec))
        throw Error("adapter '" + name + "' does not exist in workspace " + dir());
    fs::remove_all(adapterDir(name), ec);
    if (ec)
        throw Error("cannot delete adapter '" + name + "' (" + ec.message() + ")");
}

}  // namespace xbt

#include "core/adapt/AdapterStore.h"

#include "core/adapt/AdapterTensors.h"
#include "core/workspace/Workspace.h"
#include "core/util/JsonText.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/NpyFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>

namespace xbt {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kInfoFile = "adapter.json";
constexpr const char* kTensorFolder = "tensors";
// Where saves are assembled: inside adapters/ (so renames stay on one file
// system) but one level down, so that Workspace::adapters() never lists a
// half-written adapter.

bool safeTensorName(const std::string& name)
{
    if (name.empty() || name[0] == '.')
        return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
            return false;
    return true;
}

void checkFinite(const AdapterInfo& info, const NamedTensors& tensors)
{
    for (const auto& [name, tensor] : tensors)
        for (float v : tensor.values)
            if (!std::isfinite(v))
                throw Error("adapter '" + info.name + "': tensor '" + name +
                            "' holds NaN or infinite values (the training diverged); it was not saved: train again, "
                            "e.g. with a lower learning rate");
}

// Writes the adapter's files into `folder` (which exists and is empty).
void writeAdapterFiles(const std::string& folder, const CompatibilityAdapter& adapter,
                       const AdapterSaveObserver& afterEachFile)
{
    const NamedTensors tensors = adapterTensors(adapter);
    checkFinite(adapter.info(), tensors);
    std::error_code ec;
    createDirectories((fs::path(folder) / kTensorFolder).string());
    json listing = json::object();
    for (const auto& [name, tensor] : tensors) {
        if (!safeTensorName(name))
            throw Error("adapter '" + adapter.info().name + "': tensor name '" + name +
                        "' cannot be a file name (internal error)");
        const std::string relative = std::string(kTensorFolder) + "/" + name + ".npy";
        const std::string path = (fs::path(folder) / relative).string();
        writeNpy(path, tensor.values.data(), tensor.shape);
        listing[name] = {{"file", relative}, {"shape", tensor.shape}};
        if (afterEachFile)
            afterEachFile(path);
    }
    // Written last: a folder with adapter.json is a complete adapter.
    json j = adapter.info().toJson();
    j["tensors"] = listing;
    const std::string infoPath = (fs::path(folder) / kInfoFile).string();
    writeFileAtomic(infoPath, j.dump(2) + "\n");
    if (afterEachFile)
        afterEachFile(infoPath);
}

// Puts the finished folder `incoming` at `target`. An existing target is
// swapped out in one step where the file system can (renameat2), so that
// readers see the old adapter or the new one, never neither.
void moveIntoPlace(const fs::path& incoming, const fs::path& target, const std::string& name)
{
    const auto failed = [&](const std::string& what) {
        return Error("cannot save adapter '" + name + "': " + what + " (" + std::strerror(errno) + ")");
    };
    std::error_code ec;
    if (!fs::exists(target, ec)) {
        if (std::rename(incoming.c_str(), target.c_str()) != 0)
            throw failed("cannot rename " + incoming.string() + " to " + target.string());
        return;
    }
#ifdef RENAME_EXCHANGE
    if (renameat2(AT_FDCWD, incoming.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
        fs::remove_all(incoming, ec);  // now the previous adapter
        return;
    }
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        throw failed("cannot swap " + incoming.string() + " with " + target.string());
#endif
    const fs::path previous = incoming.string() + ".previous";
    fs::remove_all(previous, ec);
    if (std::rename(target.c_str(), previous.c_str()) != 0)
        throw failed("cannot move the previous version aside");
    if (std::rename(incoming.c_str(), target.c_str()) != 0) {
        const Error error = failed("cannot rename " + incoming.string() + " to " + target.string());
        std::rename(previous.c_str(), target.c_str());
        throw error;
    }
    fs::remove_all(previous, ec);
}

json readInfoJson(const std::string& path)
{
    if (!fileExists(path))
        throw Error(path + ": missing; " + parentDirectory(path) + " is not a saved adapter");
    try {
        return readJsonFile(path);
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + "; train or export the adapter again");
    }
}

NamedTensor readTensor(const fs::path& folder, const std::string& infoPath, const std::string& name,
                       const json& entry)
{
    const auto bad = [&](const std::string& what) {
        return Error(infoPath + ": field 'tensors." + name + "' " + what);
    };
    if (!entry.is_object() || !entry.contains("file") || !entry["file"].is_string() || !entry.contains("shape") ||
        !entry["shape"].is_array())
        throw bad("must be an object with \"file\" (a string) and \"shape\" (a list of sizes)");
    const std::string relative = entry["file"].get<std::string>();
    const fs::path rel = fs::path(relative).lexically_normal();
    if (rel.is_absolute() || rel.empty() || *rel.begin() == "..")
        throw bad("names the file '" + relative + "' outside the adapter folder");
    std::vector<int64_t> shape;
    for (const json& d : entry["shape"]) {
        if (!d.is_number_integer() || d.get<int64_t>() < 0)
            throw bad("has a shape that is not a list of sizes");
        shape.push_back(d.get<int64_t>());
    }
    const std::string path = (folder / rel).string();
    const NpyArray array = readNpy(path);
    if (array.dtype != "<f4" || array.fortranOrder)
        throw Error(path + ": adapter tensors are little-endian float32 in C order, this one is " + array.dtype +
                    (array.fortranOrder ? " in Fortran order" : "") + "; train or export the adapter again");
    if (array.shape != shape)
        throw Error(path + ": its shape does not match the one " + infoPath + " lists for '" + name +
                    "'; the adapter folder is damaged: train the adapter again");
    NamedTensor t;
    t.shape = shape;
    t.values.resize(static_cast<size_t>(array.elementCount()));
    std::memcpy(t.values.data(), array.bytes.data(), t.values.size() * sizeof(float));
    return t;
}

std::shared_ptr<CompatibilityAdapter> loadFolder(const std::string& folder, const std::string* workspaceName)
{
    const fs::path dir(folder);
    const std::string infoPath = (dir / kInfoFile).string();
    const json j = readInfoJson(infoPath);
    AdapterInfo info = AdapterInfo::fromJson(j, infoPath);
    if (workspaceName)
        info.name = *workspaceName;
    if (!j.contains("tensors") || !j["tensors"].is_object())
        throw Error(infoPath + ": field 'tensors' is missing or not an object; train the adapter again");
    NamedTensors tensors;
    for (const auto& [name, entry] : j["tensors"].items())
        tensors[name] = readTensor(dir, infoPath, name, entry);
    return adapterFromTensors(std::move(info), std::move(tensors), infoPath);
}

}  // namespace

void saveAdapter(const Workspace& workspace, const CompatibilityAdapter& adapter,
                 const AdapterSaveObserver& afterEachFile)
{
    const std::string& name = adapter.info().name;
    Workspace::checkName("adapter", name);
    if (!workspace.writable())
        throw Error("cannot save adapter '" + name + "': workspace " + workspace.dir() + " was opened read-only");
    const fs::path target = workspace.adapterDir(name);
    const fs::path incoming = workspace.adapterIncomingDir(name);
    std::error_code ec;
    // The caller holds the adapter's lock (Workspace::lockAdapter), which
    // makes this process its only writer: anything left here is from a save
    // that died.
    fs::remove_all(incoming, ec);
    createDirectories(incoming.string());
    try {
        writeAdapterFiles(incoming.string(), adapter, afterEachFile);
        moveIntoPlace(incoming, target, name);
    } catch (...) {
        fs::remove_all(incoming, ec);
        throw;
    }
}

std::shared_ptr<CompatibilityAdapter> loadAdapterFolder(const std::string& folder)
{
    return loadFolder(folder, nullptr);
}

std::shared_ptr<CompatibilityAdapter> loadAdapter(const Workspace& workspace, const std::string& name)
{
    Workspace::checkName("adapter", name);
    const std::vector<std::string> known = workspace.adapters();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
        std::string list;
        for (const std::string& a : known)
            list += (list.empty() ? "" : ", ") + a;
        throw Error("adapter '" + name + "' does not exist in workspace " + workspace.dir() +
                    (list.empty() ? std::string("; train one with xbt train") : "; adapters: " + list));
    }
    return loadFolder(workspace.adapterDir(name), &name);
}

std::vector<AdapterInfo> listAdapters(const Workspace& workspace)
{
    std::vector<AdapterInfo> out;
    for (const std::string& name : workspace.adapters()) {
        const std::string infoPath = (fs::path(workspace.adapterDir(name)) / kInfoFile).string();
        AdapterInfo info = AdapterInfo::fromJson(readInfoJson(infoPath), infoPath);
        info.name = name;
        out.push_back(std::move(info));
    }
    return out;
}

}  // namespace xbt

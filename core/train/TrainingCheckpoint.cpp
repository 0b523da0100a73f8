#include "core/train/TrainingCheckpoint.h"

#include "core/util/JsonText.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <filesystem>

namespace xbt {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {
constexpr const char* kStateFile = "state.json";
}

TrainingCheckpoint::TrainingCheckpoint(std::string dir) : dir_(std::move(dir)) {}

std::string TrainingCheckpoint::file(const std::string& name) const { return (fs::path(dir_) / name).string(); }

bool TrainingCheckpoint::exists() const
{
    std::error_code ec;
    return fs::is_regular_file(file(kStateFile), ec);
}

json TrainingCheckpoint::state() const
{
    const std::string path = file(kStateFile);
    try {
        return readJsonFile(path);
    } catch (const Error& e) {
        throw Error(std::string(e.what()) + "; delete " + dir_ + " to train from the start");
    }
}

int64_t TrainingCheckpoint::step() const
{
    const json s = state();
    if (!s.contains("step") || !s["step"].is_number_integer())
        throw Error(file(kStateFile) + ": missing integer \"step\"; delete " + dir_ + " to train from the start");
    return s["step"].get<int64_t>();
}

bool TrainingCheckpoint::matches(const json& identity) const
{
    return exists() && state().value("identity", json()) == identity;
}

void TrainingCheckpoint::save(const json& identity, int64_t step, const std::function<void(const std::string&)>& writePayload,
                              const json& extra) const
{
    const fs::path tmp = dir_ + ".new";
    fs::remove_all(tmp);
    createDirectories(tmp.string());
    writePayload(tmp.string());
    json state = extra;
    state["identity"] = identity;
    state["step"] = step;
    writeFileAtomic((tmp / kStateFile).string(), state.dump(2));
    const fs::path old = dir_ + ".old";
    fs::remove_all(old);
    if (fs::exists(dir_))
        fs::rename(dir_, old);
    fs::rename(tmp, dir_);
    fs::remove_all(old);
}

void TrainingCheckpoint::remove() const
{
    for (const std::string& d : {dir_, dir_ + ".new", dir_ + ".old"})
        fs::remove_all(d);
}

std::string TrainingCheckpoint::describeKept() const
{
    if (!exists())
        return "no checkpoint had been written yet";
    return "the last good checkpoint (step " + std::to_string(step()) + ") is kept in " + dir_;
}

std::string nonFiniteLossMessage(int64_t step, const TrainingCheckpoint& checkpoint, const std::string& advice)
{
    return "training stopped at step " + std::to_string(step) + ": the loss is not a number; " +
           checkpoint.describeKept() + ". " + advice;
}

}  // namespace xbt

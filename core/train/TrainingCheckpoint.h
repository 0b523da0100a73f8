#pragma once
// A training checkpoint folder that is always whole: a save writes a complete
// new folder beside it and swaps it in, so a crash leaves either the previous
// checkpoint or the new one, never a mix. state.json (written last) holds the
// step and an `identity` (the configuration and data the run was started
// with); a run resumes only from a checkpoint of the same identity.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace xbt {

class TrainingCheckpoint {
public:
    explicit TrainingCheckpoint(std::string dir);

    const std::string& dir() const { return dir_; }
    std::string file(const std::string& name) const;
    // True when a complete checkpoint (its state.json) is there.
    bool exists() const;
    // state.json; errors name the file.
    nlohmann::json state() const;
    int64_t step() const;
    bool matches(const nlohmann::json& identity) const;

    // `writePayload(folder)` writes the model and optimizer files into the new
    // folder; state = {"identity": identity, "step": step} plus `extra`'s keys.
    void save(const nlohmann::json& identity, int64_t step, const std::function<void(const std::string&)>& writePayload,
              const nlohmann::json& extra = nlohmann::json::object()) const;
    void remove() const;

    // For error messages: "the last good checkpoint (step N) is kept in DIR"
    // or "no checkpoint had been written yet".
    std::string describeKept() const;

private:
    std::string dir_;
};

// The NaN guard's message: names the step, what was kept, and `advice` (the
// setting to change and how to resume).
std::string nonFiniteLossMessage(int64_t step, const TrainingCheckpoint& checkpoint, const std::string& advice);

}  // namespace xbt

#pragma once
// Internal to trainAdapter (core/adapt/AdapterTraining.h). Every adapter
// method's settings in one table: key, kind, default and a one-line help. The
// same table answers adapterMethodSettings(), fills a request's missing keys
// and refuses unknown keys or values of the wrong kind, so the CLI, the UI and
// the saved adapter.json always agree. The table is the only place defaults
// live: the trainers' typed settings (OptimizerSettings and each method's) are
// read from a resolved configuration.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace xbt {

struct AdapterSetting {
    enum class Kind { Integer, Number, Flag, Text, NumberList, NumberOrAuto };
    std::string key;
    Kind kind;
    nlohmann::json defaultValue;
    std::string help;
    std::vector<std::string> choices;  // Text: the allowed values (empty: any text)
    double minimum = 0.0;              // Integer, Number, NumberList, NumberOrAuto
    double maximum = 1e300;            // Number, NumberList, NumberOrAuto
};

// lstsq, procrustes, slerp, xbt-stage1, xbt, fct
const std::vector<std::string>& adapterMethods();
// Throws xbt::Error listing the methods when `method` is not one of them.
const std::vector<AdapterSetting>& adapterSettings(const std::string& method);

// `given` with every missing key set to its default. Errors name the key,
// the value and what the method accepts.
nlohmann::json resolveAdapterSettings(const std::string& method, const nlohmann::json& given);

// Typed access to a resolved configuration (already validated).
class AdapterSettingsReader {
public:
    explicit AdapterSettingsReader(const nlohmann::json& resolved) : config_(resolved) {}
    int64_t integer(const std::string& key) const { return config_.at(key).get<int64_t>(); }
    double number(const std::string& key) const { return config_.at(key).get<double>(); }
    bool flag(const std::string& key) const { return config_.at(key).get<bool>(); }
    std::string text(const std::string& key) const { return config_.at(key).get<std::string>(); }
    std::vector<double> numbers(const std::string& key) const { return config_.at(key).get<std::vector<double>>(); }
    bool isAuto(const std::string& key) const { return config_.at(key).is_string(); }

private:
    const nlohmann::json& config_;
};

}  // namespace xbt

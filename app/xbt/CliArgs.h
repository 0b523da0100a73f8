#pragma once
// A small command-line parser: --name value, --name=value, boolean switches,
// repeatable options and positional arguments, validated against a spec so
// that a typo is an error naming the unknown option.

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace xbt::cli {

struct OptionSpec {
    std::string name;        // without the leading dashes; "k" is spelt -k
    std::string valueName;   // empty for a switch
    std::string help;
    bool repeatable = false;
};

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class CliArgs {
public:
    static CliArgs parse(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs);

    bool has(const std::string& name) const { return values_.count(name) > 0; }
    std::string value(const std::string& name, const std::string& fallback = {}) const;
    std::vector<std::string> values(const std::string& name) const;
    // Throws UsageError naming the option when the value is not an integer.
    int intValue(const std::string& name, int fallback) const;
    double doubleValue(const std::string& name, double fallback) const;
    // Throws UsageError when the option is missing.
    std::string required(const std::string& name) const;
    const std::vector<std::string>& positional() const { return positional_; }

private:
    std::map<std::string, std::vector<std::string>> values_;
    std::vector<std::string> positional_;
};

}  // namespace xbt::cli

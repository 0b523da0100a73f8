#include "app/xbt/CliArgs.h"

#include <algorithm>

namespace xbt::cli {

CliArgs CliArgs::parse(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs)
{
    CliArgs out;
    auto findSpec = [&](const std::string& name) -> const OptionSpec* {
        auto it = std::find_if(specs.begin(), specs.end(), [&](const OptionSpec& s) { return s.name == name; });
        return it == specs.end() ? nullptr : &*it;
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--") {
            out.positional_.insert(out.positional_.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                   args.end());
            break;
        }
        const bool longOpt = a.rfind("--", 0) == 0 && a.size() > 2;
        const bool shortOpt = !longOpt && a.size() == 2 && a[0] == '-' && a[1] != '-';
        if (!longOpt && !shortOpt) {
            out.positional_.push_back(a);
            continue;
        }
        std::string name = a.substr(longOpt ? 2 : 1);
        std::string value;
        bool hasInlineValue = false;
        if (const auto eq = name.find('='); longOpt && eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            hasInlineValue = true;
        }
        const OptionSpec* spec = findSpec(name);
        if (!spec)
            throw UsageError("unknown option '" + a + "'");
        if (spec->valueName.empty()) {
            if (hasInlineValue)
                throw UsageError("option --" + name + " takes no value");
            out.values_[name].push_back("1");
            continue;
        }
        if (!hasInlineValue) {
            if (i + 1 >= args.size())
                throw UsageError("option --" + name + " needs a value (" + spec->valueName + ")");
            value = args[++i];
        }
        auto& slot = out.values_[name];
        if (!slot.empty() && !spec->repeatable)
            throw UsageError("option --" + name + " given more than once");
        slot.push_back(value);
    }
    return out;
}

std::string CliArgs::value(const std::string& name, const std::string& fallback) const
{
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second.back();
}

std::vector<std::string> CliArgs::values(const std::string& name) const
{
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

int CliArgs::intValue(const std::string& name, int fallback) const
{
    if (!has(name))
        return fallback;
    const std::string v = value(name);
    try {
        size_t used = 0;
        const int n = std::stoi(v, &used);
        if (used != v.size())
            throw std::invalid_argument(v);
        return n;
    } catch (const std::exception&) {
        throw UsageError("option --" + name + " expects an integer, got '" + v + "'");
    }
}

double CliArgs::doubleValue(const std::string& name, double fallback) const
{
    if (!has(name))
        return fallback;
    const std::string v = value(name);
    try {
        size_t used = 0;
        const double d = std::stod(v, &used);
        if (used != v.size())
            throw std::invalid_argument(v);
        return d;
    } catch (const std::exception&) {
        throw UsageError("option --" + name + " expects a number, got '" + v + "'");
    }
}

std::string CliArgs::required(const std::string& name) const
{
    if (!has(name))
        throw UsageError("missing required option --" + name);
    return value(name);
}

}  // namespace xbt::cli

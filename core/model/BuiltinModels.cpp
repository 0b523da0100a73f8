#include "core/model/BuiltinModels.h"

#include "core/util/Error.h"

#include <functional>

namespace xbt {

namespace {

struct BuiltinModel {
    const char* name;
    // Empty while the model's recipe is not part of this build.
    std::function<std::unique_ptr<EmbeddingModel>(const ModelOptions&)> make;
};

const std::vector<BuiltinModel>& registry()
{
    static const std::vector<BuiltinModel> models = {
        {"sample-old", {}},
        {"sample-new", {}},
    };
    return models;
}

}  // namespace

std::vector<std::string> builtinModelNames()
{
    std::vector<std::string> names;
    for (const BuiltinModel& m : registry())
        names.emplace_back(m.name);
    return names;
}

bool isBuiltinModelName(const std::string& name)
{
    for (const BuiltinModel& m : registry())
        if (name == m.name)
            return true;
    return false;
}

std::unique_ptr<EmbeddingModel> makeBuiltinModel(const std::string& name, const ModelOptions& options)
{
    for (const BuiltinModel& m : registry()) {
        if (name != m.name)
            continue;
        if (!m.make)
            throw Error("built-in model '" + name + "' is not available in this build");
        return m.make(options);
    }
    throw Error("'" + name + "' is not a built-in model");
}

}  // namespace xbt

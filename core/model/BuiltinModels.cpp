#include "core/model/BuiltinModels.h"

#include "core/model/builtin/BuiltinSampleModel.h"
#include "core/util/Error.h"
#include "core/util/InstallPaths.h"

#include <filesystem>
#include <functional>

namespace xbt {

namespace {

struct BuiltinModel {
    const char* name;
    std::function<std::unique_ptr<EmbeddingModel>(const ModelOptions&)> make;
};

// The shipped sample models live in <samples>/<name>/ (see InstallPaths.h).
std::unique_ptr<EmbeddingModel> loadShippedSampleModel(const std::string& name, const ModelOptions& options)
{
    const std::string folder = (std::filesystem::path(samplesDirectory()) / name).string();
    if (!BuiltinSampleModel::isModelFolder(folder))
        throw Error("built-in model '" + name + "': its trained weights are not in " + folder +
                    "; train them with `xbt train-base --config samples/" + name + ".json --out " + folder + "`");
    return BuiltinSampleModel::load(folder, options);
}

const std::vector<BuiltinModel>& registry()
{
    static const std::vector<BuiltinModel> models = {
        {"sample-old", [](const ModelOptions& o) { return loadShippedSampleModel("sample-old", o); }},
        {"sample-new", [](const ModelOptions& o) { return loadShippedSampleModel("sample-new", o); }},
        // sample-new's architecture trained compatible with sample-old (docs/compatibility.md).
        {"sample-new-bct", [](const ModelOptions& o) { return loadShippedSampleModel("sample-new-bct", o); }},
        {"sample-new-bt2", [](const ModelOptions& o) { return loadShippedSampleModel("sample-new-bt2", o); }},
        {"sample-new-oca", [](const ModelOptions& o) { return loadShippedSampleModel("sample-new-oca", o); }},
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
        if (name == m.name)
            return m.make(options);
    }
    throw Error("'" + name + "' is not a built-in model");
}

}  // namespace xbt

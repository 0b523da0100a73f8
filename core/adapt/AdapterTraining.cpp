#include "core/adapt/AdapterTraining.h"

#include "core/adapt/training/AdapterSettingsTable.h"
#include "core/adapt/training/AdapterTrainingRun.h"

namespace xbt {

nlohmann::json adapterMethodSettings()
{
    nlohmann::json out = nlohmann::json::object();
    for (const std::string& method : adapterMethods())
        for (const AdapterSetting& s : adapterSettings(method)) {
            out[method][s.key] = {{"default", s.defaultValue}, {"help", s.help}};
            if (!s.choices.empty())
                out[method][s.key]["choices"] = s.choices;
        }
    return out;
}

AdapterTrainResult trainAdapter(const AdapterTrainRequest& request, const AdapterProgressCallback& progress,
                                const CancelToken& cancel)
{
    return runAdapterTraining(request, progress, cancel);
}

}  // namespace xbt

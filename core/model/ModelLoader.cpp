#include "core/model/ModelLoader.h"

#include "core/model/BuiltinModels.h"
#include "core/model/TorchScriptClipModel.h"
#include "core/model/builtin/BuiltinSampleModel.h"
#include "core/util/Error.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace xbt {

namespace fs = std::filesystem;

namespace {

bool hasArchiveExtension(const fs::path& p)
{
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const char* known : {".pt", ".pth", ".ts", ".torchscript", ".zip"})
        if (ext == known)
            return true;
    return false;
}

std::string joinNames(const std::vector<std::string>& names)
{
    std::string s;
    for (const std::string& n : names)
        s += (s.empty() ? "" : ", ") + n;
    return s;
}

// A folder is a model when it is a sample model folder (sample-model.json), or
// holds exactly one TorchScript archive (beside its sidecar, merges file, ...).
std::string archiveInFolder(const std::string& folder)
{
    std::vector<std::string> archives;
    std::vector<std::string> refused;
    std::error_code ec;
    for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec)) {
        if (!entry.is_regular_file(ec) || !hasArchiveExtension(entry.path()))
            continue;
        std::string why;
        if (TorchScriptClipModel::isTorchScriptArchive(entry.path().string(), &why))
            archives.push_back(entry.path().string());
        else
            refused.push_back(entry.path().filename().string() + " (" + why + ")");
    }
    if (ec)
        throw Error(folder + ": cannot list the folder (" + ec.message() + ")");
    std::sort(archives.begin(), archives.end());
    if (archives.size() == 1)
        return archives.front();
    if (archives.empty())
        throw Error(folder + " holds no TorchScript archive (*.pt, *.pth, *.ts, *.torchscript, *.zip)"
                    + (refused.empty() ? std::string() : "; not TorchScript: " + joinNames(refused))
                    + "; pass the archive itself with --model");
    throw Error(folder + " holds several TorchScript archives (" + joinNames(archives)
                + "); pass the one to use with --model");
}

}  // namespace

std::unique_ptr<EmbeddingModel> loadModel(const std::string& spec, const ModelOptions& options)
{
    std::error_code ec;
    if (!spec.empty() && fs::is_directory(spec, ec)) {
        if (BuiltinSampleModel::isModelFolder(spec))
            return BuiltinSampleModel::load(spec, options);
        return std::make_unique<TorchScriptClipModel>(archiveInFolder(spec), options);
    }
    if (!spec.empty() && fs::is_regular_file(spec, ec))
        return std::make_unique<TorchScriptClipModel>(spec, options);
    if (isBuiltinModelName(spec))
        return makeBuiltinModel(spec, options);
    throw Error("model '" + spec + "' is neither a file, a folder, nor a built-in model name (built-in: "
                + joinNames(builtinModelNames()) + ")");
}

}  // namespace xbt

#include "core/model/ModelSidecar.h"

#include "core/util/JsonText.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace xbt {

namespace fs = std::filesystem;

namespace {

using Json = nlohmann::json;

class SidecarReader {
public:
    SidecarReader(const std::string& path, const Json& root) : path_(path), root_(root) {}

    const Json* find(const char* key) const
    {
        const auto it = root_.find(key);
        return it == root_.end() || it->is_null() ? nullptr : &*it;
    }

    [[noreturn]] void fail(const char* key, const std::string& expected, const Json& got) const
    {
        throw Error(path_ + ": key \"" + key + "\" must be " + expected + ", got " + got.dump());
    }

    std::optional<std::string> string(const char* key) const
    {
        const Json* v = find(key);
        if (!v)
            return std::nullopt;
        if (!v->is_string() || v->get<std::string>().empty())
            fail(key, "a non-empty string", *v);
        return v->get<std::string>();
    }

    std::optional<int> positiveInt(const char* key) const
    {
        const Json* v = find(key);
        if (!v)
            return std::nullopt;
        if (!v->is_number_integer() || v->get<int64_t>() <= 0 || v->get<int64_t>() > 1'000'000)
            fail(key, "a positive integer", *v);
        return static_cast<int>(v->get<int64_t>());
    }

    std::optional<std::array<float, 3>> triple(const char* key) const
    {
        const Json* v = find(key);
        if (!v)
            return std::nullopt;
        if (!v->is_array() || v->size() != 3)
            fail(key, "a list of 3 numbers (R, G, B)", *v);
        std::array<float, 3> out{};
        for (size_t i = 0; i < 3; ++i) {
            if (!(*v)[i].is_number())
                fail(key, "a list of 3 numbers (R, G, B)", *v);
            out[i] = (*v)[i].get<float>();
        }
        return out;
    }

private:
    const std::string& path_;
    const Json& root_;
};

}  // namespace

std::string findSidecar(const std::string& archivePath)
{
    const fs::path archive(archivePath);
    for (const fs::path& candidate : {fs::path(archive).replace_extension(".json"), archive.parent_path() / "model.json"}) {
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec))
            return candidate.string();
    }
    return {};
}

ModelSidecar readSidecar(const std::string& path)
{
    const Json root = readJsonFile(path);
    if (!root.is_object())
        throw Error(path + ": expected a JSON object with model settings (name, input_resolution, mean, std, ...)");

    const SidecarReader r(path, root);
    ModelSidecar s;
    s.path = path;
    s.name = r.string("name");
    s.inputResolution = r.positiveInt("input_resolution");
    if (s.inputResolution)
        checkInputResolution(*s.inputResolution, path + ": key \"input_resolution\"");
    s.mean = r.triple("mean");
    if (s.mean)
        checkMean(*s.mean, path + ": key \"mean\"");
    s.std = r.triple("std");
    if (s.std)
        checkStd(*s.std, path + ": key \"std\"");
    s.contextLength = r.positiveInt("context_length");
    if (s.contextLength && *s.contextLength < 2)
        throw Error(path + ": key \"context_length\" must be at least 2 (start and end tokens)");
    s.tokenizer = r.string("tokenizer");
    if (s.tokenizer && *s.tokenizer != "clip-bpe")
        throw Error(path + ": key \"tokenizer\" is \"" + *s.tokenizer + "\", but only \"clip-bpe\" is supported");
    if (const auto merges = r.string("merges")) {
        s.merges = resolvePath(parentDirectory(path), *merges);
        if (!fileExists(*s.merges))
            throw Error(path + ": key \"merges\" names " + *s.merges + ", which does not exist (paths are relative to "
                        "the sidecar's folder)");
    }
    s.embeddingDim = r.positiveInt("embedding_dim");
    return s;
}

ModelSidecar loadSidecarFor(const std::string& archivePath)
{
    const std::string path = findSidecar(archivePath);
    return path.empty() ? ModelSidecar{} : readSidecar(path);
}

ModelSettings resolveModelSettings(const ModelOptions& options, const ModelSidecar& sidecar,
                                   const ArchiveSettings& archive, const std::string& fallbackName)
{
    ModelSettings m;
    m.name = options.name.value_or(sidecar.name.value_or(fallbackName));

    validateModelOptions(options);
    PreprocessSettings& p = m.preprocess;
    p.inputResolution = options.inputResolution.value_or(
        sidecar.inputResolution.value_or(archive.inputResolution.value_or(p.inputResolution)));
    checkInputResolution(p.inputResolution, "the archive's input_resolution attribute");
    p.mean = options.mean.value_or(sidecar.mean.value_or(p.mean));
    p.std = options.std.value_or(sidecar.std.value_or(p.std));
    p.applyExifOrientation = options.applyExifOrientation;
    p.fastDecode = options.fastDecode;
    if (options.maxPixels)
        p.maxPixels = static_cast<int64_t>(*options.maxPixels) * 1'000'000;

    m.contextLength = options.contextLength.value_or(
        sidecar.contextLength.value_or(archive.contextLength.value_or(m.contextLength)));
    m.tokenizer = sidecar.tokenizer.value_or(m.tokenizer);
    m.sidecarMerges = sidecar.merges.value_or("");
    m.expectedEmbeddingDim = sidecar.embeddingDim;
    return m;
}

}  // namespace xbt

#pragma once
// The optional JSON file that describes a TorchScript archive: `<stem>.json`
// beside the archive, else `model.json` in its folder. Keys: name,
// input_resolution, mean, std, context_length, tokenizer, merges,
// embedding_dim (see docs/models.md); unknown keys are ignored.
//
// Also resolves the settings a model runs with, in the order: ModelOptions
// (flags), sidecar, what the archive holds, CLIP's defaults.

#include "core/image/PreprocessSettings.h"
#include "core/model/ModelOptions.h"

#include <array>
#include <optional>
#include <string>

namespace xbt {

struct ModelSidecar {
    std::string path;  // empty when the archive has none
    std::optional<std::string> name;
    std::optional<int> inputResolution;
    std::optional<std::array<float, 3>> mean;
    std::optional<std::array<float, 3>> std;
    std::optional<int> contextLength;
    std::optional<std::string> tokenizer;
    std::optional<std::string> merges;  // resolved against the sidecar's folder
    std::optional<int> embeddingDim;
};

// The sidecar that applies to `archivePath`, or "" when there is none.
std::string findSidecar(const std::string& archivePath);
// Throws xbt::Error naming the file (and the key) when it is not valid.
ModelSidecar readSidecar(const std::string& path);
// findSidecar + readSidecar; an empty ModelSidecar when there is none.
ModelSidecar loadSidecarFor(const std::string& archivePath);

// What an archive itself says (OpenAI archives carry these attributes).
struct ArchiveSettings {
    std::optional<int> inputResolution;
    std::optional<int> contextLength;
};

struct ModelSettings {
    std::string name;
    PreprocessSettings preprocess;
    int contextLength = 77;
    std::string tokenizer = "clip-bpe";
    std::string sidecarMerges;               // "" when the sidecar names none
    std::optional<int> expectedEmbeddingDim; // from the sidecar, checked after loading
};

// Flags > sidecar > archive > CLIP defaults. `fallbackName` (the archive's
// stem) is used when neither flags nor sidecar name the model. Throws
// xbt::Error for values no model can use, naming where they came from.
ModelSettings resolveModelSettings(const ModelOptions& options, const ModelSidecar& sidecar,
                                   const ArchiveSettings& archive, const std::string& fallbackName);

}  // namespace xbt

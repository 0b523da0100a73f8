#pragma once
// A CLIP model from a TorchScript archive exposing encode_image(float[N,3,H,W])
// and encode_text(int64[N,L]), each returning [N,D]: OpenAI's released
// checkpoints (traced on a GPU in half precision; rewritten on load to run in
// float32 on any device) and archives exported with scripts/export_open_clip.py.

#include "core/model/EmbeddingModel.h"
#include "core/model/ModelOptions.h"

#include <memory>
#include <string>

namespace xbt {

class TorchScriptClipModel : public EmbeddingModel {
public:
    // Loads, patches and probes the archive (one tiny forward pass of each
    // tower). Throws xbt::Error naming the archive, sidecar key or missing
    // method, with what to do about it.
    TorchScriptClipModel(const std::string& archivePath, const ModelOptions& options);
    ~TorchScriptClipModel() override;

    const ModelInfo& info() const override;
    Matrix encodeImages(const std::vector<PixelTensor>& images) override;
    Matrix encodeTexts(const std::vector<std::string>& texts) override;
    // Token ids already laid out as TextTokenizer::tokenizeBatch returns
    // them: row-major [rows, ids.size() / rows].
    Matrix encodeTokens(const std::vector<int64_t>& ids, int64_t rows);
    const TextTokenizer& tokenizer() const override;

    // True when `path` is a zip archive holding TorchScript code; otherwise
    // false, with the reason in `why` ("not a zip file", ...).
    static bool isTorchScriptArchive(const std::string& path, std::string* why = nullptr);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace xbt

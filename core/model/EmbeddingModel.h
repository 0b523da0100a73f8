#pragma once
// The one interface every embedding model offers: TorchScript CLIP archives
// and the built-in sample models alike. Torch-free on purpose (see Matrix.h).

#include "core/image/PreprocessSettings.h"
#include "core/util/Matrix.h"

#include <memory>
#include <string>
#include <vector>

namespace xbt {

class TextTokenizer;

// The first 12 hex digits: enough to tell models apart in messages.
inline std::string fingerprintPrefix(const std::string& fingerprint) { return fingerprint.substr(0, 12); }

// A model trained to be compatible with an older one (BCT, BT^2, OCA; see
// docs/compatibility.md): which model, and which part of its vector compares
// with that model's embeddings.
struct CompatibleWith {
    std::string fingerprint;  // the old model's; empty: not a compatible model
    std::string name;         // the old model's name, for messages
    int dims = 0;             // the old model's embedding size
    // true: the first `dims` values, renormalised, compare with old
    // embeddings (bt2, oca); false: the whole vector does (bct).
    bool firstDims = false;
    bool declared() const { return !fingerprint.empty(); }
};

struct ModelInfo {
    std::string name;          // e.g. "ViT-B-32" or "sample-old"
    std::string kind;          // "torchscript" or "builtin"
    std::string source;        // archive path, or the built-in name
    int embeddingDim = 0;
    int contextLength = 77;
    std::string tokenizer;     // "clip-bpe", ...
    std::string mergesPath;    // for clip-bpe
    std::string device;        // "cpu", "cuda", "cuda:1"
    PreprocessSettings preprocess;
    // sha256 over weights, preprocessing and tokenizer settings: tags every
    // stored embedding, so that two different models are never mixed.
    std::string fingerprint;
    // Set when a compatibility adapter maps this model's embeddings into
    // another model's space: that model's fingerprint. A gallery accepts
    // queries and items from this model when it equals the gallery's own.
    std::string adapterTarget;
    // The adapter's name when adapterTarget is set (recorded with each
    // gallery item it embeds).
    std::string adapterName;
    // Set for a model trained to be compatible with an older one.
    CompatibleWith compatibleWith;
    // The fingerprint of the space this model's embeddings live in.
    const std::string& spaceFingerprint() const { return adapterTarget.empty() ? fingerprint : adapterTarget; }
};

class EmbeddingModel {
public:
    virtual ~EmbeddingModel() = default;

    virtual const ModelInfo& info() const = 0;
    // Images already preprocessed with info().preprocess, all of one size.
    // Returns L2-normalised float32 [images.size(), embeddingDim].
    virtual Matrix encodeImages(const std::vector<PixelTensor>& images) = 0;
    // Returns L2-normalised float32 [texts.size(), embeddingDim].
    virtual Matrix encodeTexts(const std::vector<std::string>& texts) = 0;
    virtual const TextTokenizer& tokenizer() const = 0;

    int embeddingDim() const { return info().embeddingDim; }
    const std::string& device() const { return info().device; }
    const std::string& fingerprint() const { return info().fingerprint; }
};

}  // namespace xbt

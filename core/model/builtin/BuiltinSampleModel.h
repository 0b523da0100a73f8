#pragma once
// A built-in sample model (see SampleModelConfig) behind the EmbeddingModel
// interface. A model folder holds sample-model.json (the recipe),
// vocabulary.txt (the word tokenizer's words) and weights.pt.

#include "core/model/EmbeddingModel.h"
#include "core/model/ModelOptions.h"
#include "core/model/builtin/SampleModelConfig.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace xbt {

class WordTokenizer;

// An additive change to one parameter of weights.pt (e.g. a merged LoRA
// delta), keyed by the parameter's name: its shape and row-major values.
struct WeightDelta {
    std::vector<int64_t> shape;
    std::vector<float> values;
};
using WeightDeltas = std::map<std::string, WeightDelta>;

class BuiltinSampleModel : public EmbeddingModel {
public:
    static constexpr const char* kConfigFile = "sample-model.json";
    static constexpr const char* kVocabularyFile = "vocabulary.txt";
    static constexpr const char* kWeightsFile = "weights.pt";

    // Loads a trained model folder; errors name the folder and the missing file.
    static std::unique_ptr<BuiltinSampleModel> load(const std::string& folder, const ModelOptions& options);
    // The same model with `deltas` added to its weights (its fingerprint
    // follows the changed weights); errors name a parameter that does not
    // exist or whose shape differs.
    static std::unique_ptr<BuiltinSampleModel> load(const std::string& folder, const ModelOptions& options,
                                                    const WeightDeltas& deltas);
    static bool isModelFolder(const std::string& folder);
    ~BuiltinSampleModel() override;

    const ModelInfo& info() const override { return info_; }
    Matrix encodeImages(const std::vector<PixelTensor>& images) override;
    Matrix encodeTexts(const std::vector<std::string>& texts) override;
    const TextTokenizer& tokenizer() const override;

    const SampleModelConfig& config() const { return config_; }
    // Writes a model folder holding this model as it is now (weights with
    // any deltas merged), under the recipe name `name`.
    void saveFolder(const std::string& folder, const std::string& name) const;

private:
    BuiltinSampleModel();
    struct Impl;
    std::unique_ptr<Impl> impl_;
    SampleModelConfig config_;
    ModelInfo info_;
};

// Preprocessing of the sample models: CLIP's, at the model's resolution.
PreprocessSettings samplePreprocessSettings(const SampleModelConfig& config);

}  // namespace xbt

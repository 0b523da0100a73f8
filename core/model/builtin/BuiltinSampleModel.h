#pragma once
// A built-in sample model (see SampleModelConfig) behind the EmbeddingModel
// interface. A model folder holds sample-model.json (the recipe),
// vocabulary.txt (the word tokenizer's words) and weights.pt.

#include "core/model/EmbeddingModel.h"
#include "core/model/ModelOptions.h"
#include "core/model/builtin/SampleModelConfig.h"

#include <memory>
#include <string>

namespace xbt {

class WordTokenizer;

class BuiltinSampleModel : public EmbeddingModel {
public:
    static constexpr const char* kConfigFile = "sample-model.json";
    static constexpr const char* kVocabularyFile = "vocabulary.txt";
    static constexpr const char* kWeightsFile = "weights.pt";

    // Loads a trained model folder; errors name the folder and the missing file.
    static std::unique_ptr<BuiltinSampleModel> load(const std::string& folder, const ModelOptions& options);
    static bool isModelFolder(const std::string& folder);
    ~BuiltinSampleModel() override;

    const ModelInfo& info() const override { return info_; }
    Matrix encodeImages(const std::vector<PixelTensor>& images) override;
    Matrix encodeTexts(const std::vector<std::string>& texts) override;
    const TextTokenizer& tokenizer() const override;

    const SampleModelConfig& config() const { return config_; }

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

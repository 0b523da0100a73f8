#pragma once
// LoRA on a built-in new model's image tower: every conv and linear weight W
// of the tower gets a trainable low-rank delta (alpha / r) B A, B starting at
// zero, while W stays frozen. The network is a private copy loaded from the
// model's folder, so the model itself (and its fingerprint) never changes;
// the deltas are handed out per parameter name as in the folder's weights.pt.

#include "core/adapt/training/torch/XbtImageSide.h"
#include "core/data/CaptionedSplit.h"
#include "core/model/EmbeddingModel.h"
#include "core/util/Progress.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace xbt {

class LoraImageTower {
public:
    // True for built-in sample models (their layers are the engine's own).
    static bool supports(const EmbeddingModel& model);
    // Loads the network of `model` (a built-in model) from its folder and
    // checks it has the weights the model's fingerprint names.
    LoraImageTower(const EmbeddingModel& model, int64_t rank, double alpha, uint64_t seed, const torch::Device& device);
    ~LoraImageTower();

    // Adapted, L2-normalised image embeddings of preprocessed pixels [N, 3, R, R].
    torch::Tensor forward(const torch::Tensor& pixels);
    // A and B of every adapted layer.
    std::shared_ptr<torch::nn::Module> parameters() { return parameters_; }
    // (alpha / r) B A per parameter name ("image.stages.0.weight"), reshaped
    // to 2-D [out, in * kh * kw], and each weight's own shape.
    std::map<std::string, Matrix> deltas() const;
    std::map<std::string, std::vector<int64_t>> shapes() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::shared_ptr<torch::nn::Module> parameters_;
};

// The images `rows` of a split, preprocessed for `model`, as one tensor on
// `device` (images that fail to decode are an error naming the file).
torch::Tensor loadSplitPixels(const CaptionedSplit& split, const std::vector<size_t>& rows,
                              const PreprocessSettings& preprocess, const torch::Device& device,
                              const CancelToken& cancel);

// Stage 2's image side over a LoRA tower and the pixels of the training and
// validation images.
std::unique_ptr<XbtImageSide> makeLoraImageSide(std::unique_ptr<LoraImageTower> tower, torch::Tensor trainPixels,
                                                torch::Tensor validationPixels);

}  // namespace xbt

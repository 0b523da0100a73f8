#include "core/adapt/training/torch/PseudoCaptions.h"

#include "core/model/torch/TorchTensors.h"
#include "core/util/Error.h"

#include <torch/torch.h>

#include <string>

namespace xbt {

PseudoCaptions pickPseudoCaptions(const Matrix& newImages, const Matrix& newSentences, int64_t perImage,
                                  const torch::Device& device)
{
    if (newImages.rows > 0 && newImages.cols != newSentences.cols)
        throw Error("pseudo captions: the images have " + std::to_string(newImages.cols) +
                    " dimensions and the corpus sentences " + std::to_string(newSentences.cols) +
                    "; both must be the new model's embeddings");
    if (perImage < 1 || perImage > newSentences.rows)
        throw Error("pseudo captions: " + std::to_string(perImage) + " sentences per image asked for, but the corpus "
                    "has " + std::to_string(newSentences.rows) + " (unlabeled_captions must be between 1 and that)");
    torch::NoGradGuard noGrad;
    const torch::Tensor sentences = fromMatrix(newSentences, device);
    const torch::Tensor images = fromMatrix(newImages, device);
    // About 256 MB of scores per block, whatever the corpus size.
    const int64_t block = std::max<int64_t>(1, (int64_t(64) << 20) / std::max<int64_t>(1, newSentences.rows));
    PseudoCaptions out;
    for (int64_t start = 0; start < newImages.rows; start += block) {
        const int64_t end = std::min(newImages.rows, start + block);
        const torch::Tensor scores = torch::matmul(images.narrow(0, start, end - start), sentences.t());
        const torch::Tensor best = std::get<1>(scores.topk(perImage, 1)).cpu();
        const auto b = best.accessor<int64_t, 2>();
        for (int64_t i = 0; i < end - start; ++i)
            for (int64_t k = 0; k < perImage; ++k) {
                out.sentence.push_back(b[i][k]);
                out.image.push_back(start + i);
            }
    }
    return out;
}

}  // namespace xbt

#pragma once
// Pseudo captions for unlabelled images (xbt --unlabeled): each image gets
// the corpus sentences the NEW model ranks highest for it. The new model
// reads what the old one cannot (about 87% image-to-text R@1 on the sample
// world, against 37% for the old), so its best sentence for an image is
// usually a right description of it. Stage 2's gallery term then pulls
// phi(that sentence) onto the old model's embedding of the image, the
// caption -> stored image signal that otherwise only the few labelled pairs
// give; an unlabelled image costs one pass of each model, no annotation.

#include "core/util/Matrix.h"

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace xbt {

struct PseudoCaptions {
    std::vector<int64_t> sentence;  // corpus row of each pseudo caption
    std::vector<int64_t> image;     // the image row it describes
};

// For each row of `newImages` [N, d] (unit vectors), the `perImage` rows of
// `newSentences` [M, d] with the highest inner product, best first (equal
// scores in either order). Computed in blocks of images on `device`, so that
// N x M scores are never held at once. Throws xbt::Error for mismatched
// dimensions or perImage outside [1, M].
PseudoCaptions pickPseudoCaptions(const Matrix& newImages, const Matrix& newSentences, int64_t perImage,
                                  const torch::Device& device);

}  // namespace xbt

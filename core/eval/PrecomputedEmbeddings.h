#pragma once
// Embeddings made elsewhere, for `xbt eval --embeddings DIR`:
//
//   DIR/<space>_img.npy   [images, d] float32, one row per image
//   DIR/<space>_txt.npy   [texts, d] float32, one row per text
//   DIR/truth.tsv         one line per text row: the image row it belongs to
//                         (optionally "image_row<TAB>category"); '#' lines are comments
//
// Spaces `old` and `new` are required (each with both files). Any other space
// is a query adapter's output in the old space (e.g. `mine_txt.npy` alone:
// T2I only), except names starting with `gallery-`, which hold the old
// gallery moved to the new space by a gallery transform. Rows are
// L2-normalised on load (a row of zeros is an error naming file and row).

#include "core/data/CaptionedSplit.h"
#include "core/eval/ConfigurationEvaluation.h"

#include <string>
#include <vector>

namespace xbt {

struct PrecomputedEmbeddings {
    CaptionedSplit split;  // image i is "image <i>", text t is "text <t>"
    std::vector<EmbeddingSpace> spaces;
};

PrecomputedEmbeddings loadPrecomputedEmbeddings(const std::string& dir);

}  // namespace xbt

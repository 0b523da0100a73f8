#pragma once
// Shaping embedded data for the adapter trainers: the rows of a split that
// every model involved could embed, the captions of each image, and a
// seeded hold-out of corpus sentences.

#include "core/data/CaptionedSplit.h"
#include "core/embed/SplitEmbedder.h"

#include <cstdint>
#include <vector>

namespace xbt {

// A split cut down to the images every given model embedded (and their
// captions); images[m] / texts[m] are model m's rows in the cut split's order.
struct AlignedSplit {
    CaptionedSplit split;
    std::vector<Matrix> images;
    std::vector<Matrix> texts;
};
// Throws xbt::Error naming the split folder when no image is left.
AlignedSplit alignSplit(const CaptionedSplit& split, const std::vector<const SplitEmbeddings*>& models);

// Caption rows of each image of the split.
std::vector<std::vector<int64_t>> captionsOfImages(const CaptionedSplit& split);

// Sentences 0..n-1 parted into training rows and `heldOut` validation rows
// (a seeded choice; none when the corpus is too small to spare them).
struct SentenceHoldOut {
    std::vector<int64_t> train;
    std::vector<int64_t> heldOut;
};
SentenceHoldOut holdOutSentences(int64_t n, int64_t heldOut, uint64_t seed);

}  // namespace xbt

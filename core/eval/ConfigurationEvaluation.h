#pragma once
// One retrieval configuration "query space -> gallery space" (old->old,
// new->new, raw new->old, ...) measured on a captioned split, overall and per
// category. Spaces of different sizes are reported as not comparable rather
// than failing.

#include "core/data/CaptionedSplit.h"
#include "core/eval/RetrievalRecall.h"
#include "core/util/Matrix.h"

#include <map>
#include <string>
#include <vector>

namespace xbt {

// Embeddings of one split's images and captions in one space (a model, or a
// model plus adapter), rows in the split's order.
struct EmbeddingSpace {
    std::string name;         // "old", "new", ...
    std::string model;        // the model's name
    std::string fingerprint;  // the model's fingerprint
    Matrix images;
    Matrix texts;
};

struct ConfigurationResult {
    std::string name;          // "old->old"
    std::string querySpace;
    std::string gallerySpace;
    bool comparable = true;
    // Raw comparison of embeddings from different models: shown on purpose,
    // labelled as such (see METHODS.md "new->old raw").
    bool incompatibleComparison = false;
    std::string note;
    RetrievalRecall recall;
    RecallSummary textToImage;
    RecallSummary imageToText;
    std::map<std::string, RecallSummary> textToImageByCategory;
    std::map<std::string, RecallSummary> imageToTextByCategory;
};

ConfigurationResult evaluateConfiguration(const EmbeddingSpace& query, const EmbeddingSpace& gallery,
                                          const CaptionedSplit& split, int maxK = 100);

}  // namespace xbt

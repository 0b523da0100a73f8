#pragma once
// What "validation recall" means while an adapter trains, and the metrics
// saved with it. With a validation split (images + captions embedded by both
// models): query adapters are measured as new+phi -> old, gallery transforms
// as new -> transformed-old, beside old->old and new->new, in both
// directions. Without one, stage 1 holds out corpus sentences and measures
// text->text retrieval of phi(new) against the old embeddings.

#include "core/data/CaptionedSplit.h"
#include "core/eval/ConfigurationEvaluation.h"

#include <nlohmann/json.hpp>

#include <string>

namespace xbt {

// R@1 as fractions; < 0 where not measured.
struct ValidationRecall {
    double textToImage = -1.0;
    double imageToText = -1.0;
    double textToText = -1.0;
    // The mean of what was measured (what sigma search maximises); < 0 when nothing was.
    double score() const;
    std::string describe() const;
};

class AdapterValidation {
public:
    AdapterValidation() = default;  // nothing to validate on
    // Rows of the spaces are the split's images and captions, in order.
    static AdapterValidation onSplit(CaptionedSplit split, EmbeddingSpace oldSpace, EmbeddingSpace newSpace);
    static AdapterValidation onHeldOutTexts(Matrix newTexts, Matrix oldTexts);

    bool empty() const { return !hasSplit() && heldOutNew_.empty(); }
    bool hasSplit() const { return !split_.images.empty(); }
    const CaptionedSplit& split() const { return split_; }
    const EmbeddingSpace& oldSpace() const { return old_; }
    const EmbeddingSpace& newSpace() const { return new_; }
    // What query adapters map: the split's new-model embeddings, or the held-out sentences'.
    const Matrix& newTexts() const { return hasSplit() ? new_.texts : heldOutNew_; }

    // Query adapter: its images and texts already mapped into the old space.
    ValidationRecall queryRecall(const Matrix& mappedTexts, const Matrix& mappedImages) const;
    // Gallery transform: the old images and texts moved into the new space.
    ValidationRecall galleryRecall(const Matrix& transformedImages, const Matrix& transformedTexts) const;

    // Metrics to save: R@1/5/10 of each configuration, the compatibility
    // criterion and the gain recovery (see METHODS.md).
    nlohmann::json queryReport(const Matrix& mappedTexts, const Matrix& mappedImages) const;
    nlohmann::json galleryReport(const Matrix& transformedImages, const Matrix& transformedTexts) const;

private:
    nlohmann::json report(const EmbeddingSpace& query, const EmbeddingSpace& gallery) const;

    CaptionedSplit split_;
    EmbeddingSpace old_, new_;
    Matrix heldOutNew_, heldOutOld_;
};

}  // namespace xbt

#pragma once
// The image map psi of an xbt adapter (CompatibilityAdapter::setImageMap),
// fitted on TEXT ONLY: the corpus embedded by both models.
//
// An image query x searches an old caption gallery. What the new model would
// rank it by is <new(x), new(c)> for each caption c; the gallery stores only
// old(c). A least-squares map H from old to new text embeddings (fitted on
// the corpus: new(c) ~ H old(c)) turns that score into
//     <new(x), H old(c)> = <H^T new(x), old(c)>,
// so psi(z) = normalize(H^T z) is an image query in the old space that ranks
// the stored captions as the new model would rank their new embeddings (up to
// each caption's norm under H). Phi goes the other way (old(c) ~ phi(new(c)),
// a regression onto the old space) and reaches image queries only through the
// image side's alignment to phi(new caption); psi needs no image at all.
// The ridge is chosen on validation by the trainer.

#include "core/adapt/CompatibilityAdapter.h"

namespace xbt {

// psi = H^T, with H = least squares (ridge `lambda`, ClosedFormFit.h) from
// `oldTexts` [N, d_old] to `newTexts` [N, d_new] (rows: the same sentences).
ProjectionWeights transposedTextMap(const Matrix& oldTexts, const Matrix& newTexts, double lambda);

}  // namespace xbt

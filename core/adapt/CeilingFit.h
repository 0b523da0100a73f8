#pragma once
// The gallery's ceiling (a diagnostic, never a method): linear query maps
// from the new model into the old space fitted with InfoNCE on the
// EVALUATION split's own pairs, text queries onto the old embeddings of their
// images and image queries onto the old embeddings of their captions. It
// cheats on purpose: it estimates the most a query-side adapter could take
// from this old gallery, so that an adapter's gain can be read against what
// is reachable (G_ceiling), not only against a full re-index.

#include "core/util/Matrix.h"

#include <cstdint>
#include <vector>

namespace xbt {

struct CeilingQueries {
    Matrix texts;   // [T, d_old], unit rows
    Matrix images;  // [I, d_old], unit rows
};

struct CeilingFitOptions {
    int steps = 300;             // full-batch Adam steps per direction
    double learningRate = 1e-3;
    double temperature = 0.03;   // fixed InfoNCE temperature
    uint64_t seed = 0;
};

// Rows of new*/old* are the split's captions and images in order;
// captionImage[t] is caption t's image row. Starts from the ridge
// least-squares fit and refines it, so it is at least that good on the split.
CeilingQueries fitCeilingQueries(const Matrix& newTexts, const Matrix& newImages, const Matrix& oldTexts,
                                 const Matrix& oldImages, const std::vector<int64_t>& captionImage,
                                 const CeilingFitOptions& options = {});

}  // namespace xbt

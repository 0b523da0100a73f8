#pragma once
// Synthetic embeddings for tests of retrieval maths: a hidden truth seen by
// "models" of different sharpness.

#include "core/util/Matrix.h"

#include <cstdint>
#include <random>

namespace xbt::test {

// `base` plus Gaussian noise of the given scale, rows renormalised: a view
// of the same items by a noisier model (the same for a seed on one machine).
inline Matrix noisyUnitRows(const Matrix& base, float scale, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, scale);
    Matrix m = base;
    for (float& x : m.data)
        x += normal(rng);
    normalizeRows(m);
    return m;
}

}  // namespace xbt::test

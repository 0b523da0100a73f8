#include "core/adapt/training/ImageMapFit.h"

#include "core/adapt/ClosedFormFit.h"

namespace xbt {

ProjectionWeights transposedTextMap(const Matrix& oldTexts, const Matrix& newTexts, double lambda)
{
    const Matrix h = fitLeastSquares(oldTexts, newTexts, lambda);  // [d_new, d_old]
    ProjectionWeights psi;
    psi.linear = Matrix(h.cols, h.rows);  // [d_old, d_new]
    for (int64_t i = 0; i < h.rows; ++i)
        for (int64_t j = 0; j < h.cols; ++j)
            psi.linear.at(j, i) = h.at(i, j);
    return psi;
}

}  // namespace xbt

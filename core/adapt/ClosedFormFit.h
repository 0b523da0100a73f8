#pragma once
// Training-free maps fitted on paired embeddings (rows of `source` and
// `target` are the same sentences or images, in two spaces):
//   least squares: A = argmin ||source A^T - target||_F^2 / N + ridge, the
//   ridge being lambda * mean eigenvalue of source^T source / N times
//   ||A||_F^2, so one lambda means the same for any scale, size or dimension;
//   lambda = 0 refuses linearly dependent sources instead of fitting noise
//   orthogonal Procrustes: A = U V^T from the SVD of target^T source; when
//   d_in != d_out the semi-orthogonal solution, so only the Gram matrix of
//   the smaller side is the identity (A A^T = I or A^T A = I).
// Both return A as [d_target, d_source].

#include "core/util/Matrix.h"

namespace xbt {

Matrix fitLeastSquares(const Matrix& source, const Matrix& target, double lambda = 1e-3);
Matrix fitProcrustes(const Matrix& source, const Matrix& target);

}  // namespace xbt

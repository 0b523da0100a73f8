#include "core/adapt/ClosedFormFit.h"

#include "core/model/torch/TorchTensors.h"
#include "core/util/Error.h"

namespace xbt {

namespace {

void checkPairs(const Matrix& source, const Matrix& target, const char* method)
{
    if (source.rows == 0 || source.cols == 0 || target.cols == 0)
        throw Error(std::string(method) + ": no paired embeddings to fit on");
    if (source.rows != target.rows)
        throw Error(std::string(method) + ": " + std::to_string(source.rows) + " source rows but " +
                    std::to_string(target.rows) + " target rows; each row must be the same item in both spaces");
}

// Sums in double: a cross-covariance of thousands of rows loses digits in float.
torch::Tensor asDouble(const Matrix& m) { return fromMatrix(m, torch::kCPU).to(torch::kFloat64); }

}  // namespace

Matrix fitLeastSquares(const Matrix& source, const Matrix& target, double lambda)
{
    checkPairs(source, target, "least squares");
    if (lambda < 0)
        throw Error("least squares: the ridge lambda must not be negative (got " + std::to_string(lambda) + ")");
    torch::NoGradGuard noGrad;
    const torch::Tensor s = asDouble(source);
    const torch::Tensor t = asDouble(target);
    const double n = static_cast<double>(source.rows);
    // Normal equations on second moments; lambda is relative to the mean
    // eigenvalue of S^T S / n, so the same value regularises alike whatever
    // the number of pairs, their scale or the dimension.
    torch::Tensor gram = torch::matmul(s.t(), s) / n;
    const double meanEigenvalue = gram.trace().item<double>() / static_cast<double>(source.cols);
    gram = gram + torch::eye(source.cols, torch::kFloat64) * (lambda * meanEigenvalue);
    // A (nearly) singular system solves without complaint into noise: refuse it.
    const torch::Tensor eigenvalues = torch::linalg_eigvalsh(gram);
    const double smallest = eigenvalues.min().item<double>();
    const double largest = eigenvalues.max().item<double>();
    if (!(largest > 0.0) || smallest <= 1e-12 * largest)
        throw Error("least squares: the source embeddings are linearly dependent (" + std::to_string(source.rows) +
                    " pairs for " + std::to_string(source.cols) + " dimensions); use more pairs or a ridge lambda > 0");
    const torch::Tensor cross = torch::matmul(s.t(), t) / n;  // [d_source, d_target]
    return toMatrix(torch::linalg_solve(gram, cross).t().contiguous());
}

Matrix fitProcrustes(const Matrix& source, const Matrix& target)
{
    checkPairs(source, target, "Procrustes");
    torch::NoGradGuard noGrad;
    const torch::Tensor cross = torch::matmul(asDouble(target).t(), asDouble(source));  // [d_target, d_source]
    // The reduced SVD gives the semi-orthogonal polar factor when the dims
    // differ: U is d_target x k and V is d_source x k with k the smaller one.
    const auto svd = torch::linalg_svd(cross, false);
    return toMatrix(torch::matmul(std::get<0>(svd), std::get<2>(svd)));
}

}  // namespace xbt

#include "core/util/Matrix.h"

#include "core/util/Error.h"

#include <cmath>
#include <random>
#include <string>

namespace xbt {

bool allFinite(const float* values, int64_t n)
{
    for (int64_t i = 0; i < n; ++i)
        if (!std::isfinite(values[i]))
            return false;
    return true;
}

void Matrix::appendRows(const Matrix& other)
{
    if (other.rows == 0)
        return;
    if (rows == 0)
        cols = other.cols;
    if (other.cols != cols)
        throw Error("cannot append rows of width " + std::to_string(other.cols) + " to a matrix of width " +
                    std::to_string(cols));
    data.insert(data.end(), other.data.begin(), other.data.end());
    rows += other.rows;
}

Matrix Matrix::selectRows(const std::vector<int64_t>& indices) const
{
    Matrix out(static_cast<int64_t>(indices.size()), cols);
    for (size_t k = 0; k < indices.size(); ++k) {
        const float* src = row(indices[k]);
        std::copy(src, src + cols, out.row(static_cast<int64_t>(k)));
    }
    return out;
}

Matrix Matrix::leadingColumns(int64_t count) const
{
    if (count < 0 || count > cols)
        throw Error("leadingColumns: " + std::to_string(count) + " of " + std::to_string(cols) + " columns");
    Matrix out(rows, count);
    for (int64_t i = 0; i < rows; ++i)
        std::copy(row(i), row(i) + count, out.row(i));
    return out;
}

void normalizeRows(Matrix& m)
{
    for (int64_t i = 0; i < m.rows; ++i) {
        float* r = m.row(i);
        double sum = 0.0;
        for (int64_t j = 0; j < m.cols; ++j)
            sum += static_cast<double>(r[j]) * r[j];
        if (sum <= 0.0)
            continue;
        const float inv = static_cast<float>(1.0 / std::sqrt(sum));
        for (int64_t j = 0; j < m.cols; ++j)
            r[j] *= inv;
    }
}

Matrix randomUnitRows(int64_t rows, int64_t cols, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal;
    Matrix m(rows, cols);
    for (float& x : m.data)
        x = normal(rng);
    normalizeRows(m);
    return m;
}

}  // namespace xbt

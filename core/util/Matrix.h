#pragma once
// A dense row-major float32 matrix: the currency between the engine's parts
// (embeddings [N, D], gallery vectors). Deliberately torch-free so that the
// headers the UI and tests include stay cheap to compile.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xbt {

struct Matrix {
    int64_t rows = 0;
    int64_t cols = 0;
    std::vector<float> data;

    Matrix() = default;
    Matrix(int64_t r, int64_t c) : rows(r), cols(c), data(static_cast<size_t>(r * c), 0.0f) {}

    float* row(int64_t i) { return data.data() + i * cols; }
    const float* row(int64_t i) const { return data.data() + i * cols; }
    float& at(int64_t i, int64_t j) { return data[static_cast<size_t>(i * cols + j)]; }
    float at(int64_t i, int64_t j) const { return data[static_cast<size_t>(i * cols + j)]; }
    bool empty() const { return rows == 0; }

    // Appends the rows of `other` (same column count, or this one empty).
    void appendRows(const Matrix& other);
    // Keeps the given rows, in the given order.
    Matrix selectRows(const std::vector<int64_t>& indices) const;
    // The first `count` columns of every row (count <= cols).
    Matrix leadingColumns(int64_t count) const;
};

// Whether every one of the n values is a finite number (no NaN, no infinity).
bool allFinite(const float* values, int64_t n);

// Scales every row to unit L2 norm (rows of zeros are left as they are).
void normalizeRows(Matrix& m);
// Random unit rows (Gaussian directions), the same for a given seed on one
// standard library: for benchmarks and tests, never for results.
Matrix randomUnitRows(int64_t rows, int64_t cols, uint32_t seed);

}  // namespace xbt

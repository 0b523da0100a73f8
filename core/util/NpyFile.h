#pragma once
// Reading and writing NumPy .npy files (format 1.0, little-endian), the
// exchange format with users' Python pipelines. Hand-written on purpose: the
// files come from anywhere, so every header field (magic, version, dtype,
// shape) is checked, and the shape against the file's size before the array
// is allocated, with errors naming the file. The one Debian-packaged C++
// reader, xtensor's xnpy.hpp, allocates whatever the header's shape claims
// and does not check that the data was there.

#include "core/util/Matrix.h"

#include <cstdint>
#include <string>
#include <vector>

namespace xbt {

struct NpyArray {
    std::string dtype;            // NumPy descr, e.g. "<f4", "<f2", "<f8", "<i8"
    std::vector<int64_t> shape;
    bool fortranOrder = false;
    std::vector<char> bytes;      // raw little-endian data, C order unless fortranOrder

    int64_t elementCount() const;
};

void writeNpy(const std::string& path, const float* data, const std::vector<int64_t>& shape);
void writeNpy(const std::string& path, const Matrix& m);
void writeNpyInt64(const std::string& path, const int64_t* data, const std::vector<int64_t>& shape);

// Throws xbt::Error naming the file for anything that is not a valid .npy.
NpyArray readNpy(const std::string& path);
// A 2-D array of float16/32/64 as float32 rows; errors name the file and what is wrong.
Matrix readNpyMatrix(const std::string& path);

}  // namespace xbt

#pragma once
// A colour layout descriptor (in the manner of MPEG-7's): the image shrunk to
// 8 x 8, in YCrCb, each channel's 2-D DCT read in zig-zag order from the
// lowest frequencies. It says roughly which colours sit where, from the pixels
// alone, with no model: FCT side information (core/embed/SideInformation.h).

#include "core/image/RasterImage.h"

#include <string>
#include <vector>

namespace xbt {

// Coefficients kept per channel: Y gets half of `dims`, Cr and Cb a quarter each.
// `dims` must be a multiple of 4 between 4 and 128. Values are the orthonormal
// DCT of [0, 1] channels divided by 8, so every one lies in [-1, 1] and the
// first of each channel is the channel's mean.
std::vector<float> colorLayoutDescriptor(const RasterImage& image, int dims);

// The file decoded (EXIF orientation applied; a large JPEG is decoded at a
// reduced scale, which the 8 x 8 shrink makes harmless). Throws
// xbt::ImageError naming `path` when it cannot be read or decoded.
std::vector<float> colorLayoutOfFile(const std::string& path, int dims, int64_t maxPixels = 100'000'000);

}  // namespace xbt

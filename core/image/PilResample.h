#pragma once
// Pillow's Image.resize(size, BICUBIC) for 8-bit images, reproduced bit for bit
// (libImaging/Resample.c and the mode rules of Image.resize), so that embeddings
// match those of Python pipelines built on PIL + torchvision.

#include "core/image/RasterImage.h"

namespace xbt {

// A rectangle of the resized image: left, top, width, height.
struct CropWindow {
    int left = 0;
    int top = 0;
    int width = 0;
    int height = 0;
};

// image.resize((width, height), BICUBIC) with Pillow's rules: same size -> copy;
// P -> nearest neighbour; LA/RGBA -> resized premultiplied, then un-premultiplied;
// others bicubic, antialiased when shrinking.
RasterImage pilResize(const RasterImage& image, int width, int height);
// The same followed by .crop(window), computing only the window's pixels (every
// output pixel is independent of the others, so the values are identical).
RasterImage pilResize(const RasterImage& image, int width, int height, const CropWindow& window);

// The two building blocks, exposed for tests.
RasterImage pilResampleBicubic(const RasterImage& image, int width, int height, const CropWindow& window);
RasterImage pilResizeNearest(const RasterImage& image, int width, int height, const CropWindow& window);

}  // namespace xbt

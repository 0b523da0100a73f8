#pragma once
// What an image file is, read from its first bytes without decoding pixels:
// enough to refuse unsupported formats by name and oversized images before
// a decoder allocates anything, and to know what Pillow would call its mode.

#include <cstdint>
#include <string>

namespace xbt {

struct ImageHeader {
    std::string format;        // "PNG", "JPEG", "WebP", "BMP", "TIFF", "JPEG 2000"
    int width = 0;
    int height = 0;
    int channels = 0;          // stored samples per pixel (palette images: 1)
    int bitDepth = 8;          // bits per sample
    bool palette = false;      // indexed colour: Pillow mode "P"
    bool hasAlpha = false;     // an alpha channel (not palette or PNG tRNS transparency)
    bool transparency = false; // PNG tRNS chunk
    bool cmyk = false;         // JPEG/TIFF with four ink channels (Adobe CMYK or YCCK)
    int exifOrientation = 1;   // EXIF tag 0x0112, 1..8; 1 when absent
    bool truncated = false;    // JPEG without end-of-image marker, PNG without IEND (Pillow refuses both)
    int tiffExtraSample = 0;   // TIFF ExtraSamples: 1 associated (premultiplied) alpha, 2 unassociated

    int64_t pixelCount() const { return int64_t(width) * int64_t(height); }
    // The mode Pillow would open the file in: "L", "LA", "RGB", "RGBA", "P", "CMYK", "I;16", ...
    std::string pillowMode() const;
};

// Throws xbt::ImageError naming `name`: Empty for no bytes, Unsupported (by
// format name) for formats we do not decode, Corrupt for truncated headers.
ImageHeader probeImageHeader(const std::string& bytes, const std::string& name);

}  // namespace xbt

#include "core/image/PngPixelChunks.h"

#include "core/image/ImageError.h"

#include <zlib.h>

#include <cstdint>
#include <cstring>

namespace xbt {

namespace {

using Reason = ImageError::Reason;

uint32_t be32(const std::string& b, size_t at)
{
    return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) |
           (uint32_t(uint8_t(b[at + 2])) << 8) | uint32_t(uint8_t(b[at + 3]));
}

bool keptChunk(const char* type)
{
    for (const char* kept : {"IHDR", "PLTE", "tRNS", "IDAT"})
        if (std::memcmp(type, kept, 4) == 0)
            return true;
    return false;
}

// Bytes the filtered scanlines of one (sub)image take: a filter byte per row.
uint64_t scanlineBytes(uint64_t width, uint64_t height, uint64_t bitsPerPixel)
{
    if (width == 0 || height == 0)
        return 0;
    return height * (1 + (width * bitsPerPixel + 7) / 8);
}

// What the image data must inflate to, from IHDR (Adam7 interlacing sums
// its seven passes).
uint64_t expectedImageBytes(const std::string& png)
{
    const uint64_t width = be32(png, 16);
    const uint64_t height = be32(png, 20);
    const uint64_t depth = uint8_t(png[24]);
    const int colourType = uint8_t(png[25]);
    const uint64_t channels = colourType == 2 ? 3 : colourType == 4 ? 2 : colourType == 6 ? 4 : 1;
    const uint64_t bits = channels * depth;
    if (uint8_t(png[28]) == 0)
        return scanlineBytes(width, height, bits);
    static const int pass[7][4] = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4},
                                   {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};
    uint64_t total = 0;
    for (const auto& p : pass) {
        const uint64_t w = width > uint64_t(p[0]) ? (width - p[0] + p[2] - 1) / p[2] : 0;
        const uint64_t h = height > uint64_t(p[1]) ? (height - p[1] + p[3] - 1) / p[3] : 0;
        total += scanlineBytes(w, h, bits);
    }
    return total;
}

// Inflates the image data without keeping it, counting the bytes.
void checkImageData(const std::string& data, uint64_t expected, const std::string& name)
{
    z_stream z{};
    if (inflateInit(&z) != Z_OK)
        throw ImageError(Reason::Corrupt, name, "cannot check the PNG image data (zlib)");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    unsigned char sink[1 << 16];
    uint64_t produced = 0;
    int rc = Z_OK;
    while (rc == Z_OK) {
        z.next_out = sink;
        z.avail_out = sizeof sink;
        rc = inflate(&z, Z_NO_FLUSH);
        produced += sizeof sink - z.avail_out;
        if (rc == Z_BUF_ERROR && z.avail_in == 0)
            break;  // the stream ends before its end marker
        if (rc == Z_BUF_ERROR)
            rc = Z_OK;  // more output room was all it needed
        if (produced > expected)
            break;
    }
    inflateEnd(&z);
    if (produced < expected)
        throw ImageError(Reason::Corrupt, name, "truncated PNG image data (" + std::to_string(produced) + " of " +
                                                    std::to_string(expected) + " bytes)");
    if (produced > expected || (rc != Z_STREAM_END && rc != Z_OK && rc != Z_BUF_ERROR))
        throw ImageError(Reason::Corrupt, name, "damaged PNG image data (it does not inflate to the size its "
                                                "header gives)");
}

}  // namespace

std::string pngPixelChunks(const std::string& png, const std::string& name)
{
    // probePng has checked the signature, IHDR and that no chunk runs past the end.
    std::string out = png.substr(0, 8);
    std::string imageData;
    for (size_t at = 8; at + 12 <= png.size();) {
        const uint32_t length = be32(png, at);
        if (at + 12 + uint64_t(length) > png.size())
            break;
        const char* type = png.data() + at + 4;
        const size_t chunkEnd = at + 12 + length;
        if (std::memcmp(type, "IEND", 4) == 0)
            break;
        if (keptChunk(type)) {
            const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(type), static_cast<uInt>(4 + length));
            if (crc != be32(png, at + 8 + length))
                throw ImageError(Reason::Corrupt, name,
                                 "damaged PNG (the checksum of its " + std::string(type, 4) + " chunk is wrong)");
            out.append(png, at, chunkEnd - at);
            if (std::memcmp(type, "IDAT", 4) == 0)
                imageData.append(png, at + 8, length);
        }
        at = chunkEnd;
    }
    checkImageData(imageData, expectedImageBytes(png), name);
    static const char iend[] = "\0\0\0\0IEND\xae\x42\x60\x82";
    out.append(iend, 12);
    return out;
}

}  // namespace xbt

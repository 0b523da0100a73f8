#include "core/image/ImageHeader.h"

#include "core/image/ImageError.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace xbt {

namespace {

using Reason = ImageError::Reason;

// Bounds-checked reads: a header that points past the data is corrupt, never UB.
class Bytes {
public:
    Bytes(const std::string& data, const std::string& name, const char* format)
        : data_(data), name_(name), format_(format)
    {
    }
    size_t size() const { return data_.size(); }
    bool has(size_t offset, size_t n) const { return offset <= data_.size() && n <= data_.size() - offset; }
    void need(size_t offset, size_t n) const
    {
        if (!has(offset, n))
            throw ImageError(Reason::Corrupt, name_, std::string("truncated ") + format_ + " header");
    }
    uint8_t u8(size_t o) const
    {
        need(o, 1);
        return static_cast<uint8_t>(data_[o]);
    }
    uint32_t be16(size_t o) const { return (uint32_t(u8(o)) << 8) | u8(o + 1); }
    uint32_t le16(size_t o) const { return uint32_t(u8(o)) | (uint32_t(u8(o + 1)) << 8); }
    uint32_t be32(size_t o) const { return (be16(o) << 16) | be16(o + 2); }
    uint32_t le32(size_t o) const { return le16(o) | (le16(o + 2) << 16); }
    uint32_t le24(size_t o) const { return le16(o) | (uint32_t(u8(o + 2)) << 16); }
    uint32_t u16(size_t o, bool bigEndian) const { return bigEndian ? be16(o) : le16(o); }
    uint32_t u32(size_t o, bool bigEndian) const { return bigEndian ? be32(o) : le32(o); }
    bool matches(size_t o, const char* magic, size_t n) const
    {
        return has(o, n) && std::memcmp(data_.data() + o, magic, n) == 0;
    }
    [[noreturn]] void corrupt(const std::string& detail) const
    {
        throw ImageError(Reason::Corrupt, name_, std::string(format_) + ": " + detail);
    }

private:
    const std::string& data_;
    const std::string& name_;
    const char* format_;
};

[[noreturn]] void unsupported(const std::string& name, const std::string& format)
{
    throw ImageError(Reason::Unsupported, name, "unsupported image format " + format);
}

void checkSize(const Bytes& b, const ImageHeader& h)
{
    if (h.width <= 0 || h.height <= 0)
        b.corrupt("invalid size " + std::to_string(h.width) + " x " + std::to_string(h.height));
}

// The fields we need from one TIFF IFD (TIFF files and EXIF blocks share the layout).
struct TiffFields {
    uint32_t width = 0, height = 0, samples = 1, bitsPerSample = 1, photometric = 2;
    uint32_t extraSample = 0;  // first ExtraSamples value; 0 also when absent
    int orientation = 1;
};

TiffFields readTiffIfd(const Bytes& b, size_t base)
{
    const bool big = b.matches(base, "MM", 2);
    if (!big && !b.matches(base, "II", 2))
        b.corrupt("bad TIFF byte order mark");
    const size_t ifd = base + b.u32(base + 4, big);
    const uint32_t count = b.u16(ifd, big);
    TiffFields f;
    for (uint32_t i = 0; i < count; ++i) {
        const size_t e = ifd + 2 + size_t(i) * 12;
        const uint32_t tag = b.u16(e, big);
        const uint32_t type = b.u16(e + 2, big);
        const uint32_t n = b.u32(e + 4, big);
        // SHORT values sit left-justified in the value field; more than two do not fit and are
        // stored at an offset. Only the first value matters for the tags read here.
        size_t at = e + 8;
        if ((type == 3 && n > 2) || (type == 4 && n > 1))
            at = base + b.u32(e + 8, big);
        auto value = [&] { return type == 3 ? b.u16(at, big) : b.u32(at, big); };
        if (type != 3 && type != 4)
            continue;
        switch (tag) {
        case 256: f.width = value(); break;
        case 257: f.height = value(); break;
        case 258: f.bitsPerSample = value(); break;
        case 262: f.photometric = value(); break;
        case 274: f.orientation = int(value()); break;
        case 277: f.samples = value(); break;
        case 338: f.extraSample = value(); break;
        default: break;
        }
    }
    if (f.orientation < 1 || f.orientation > 8)
        f.orientation = 1;
    return f;
}

// EXIF is metadata the reference pipeline never reads: a damaged block must not
// cost the image, so it counts as "no orientation".
int exifOrientation(const Bytes& b, size_t base)
{
    try {
        return readTiffIfd(b, base).orientation;
    } catch (const ImageError&) {
        return 1;
    }
}

ImageHeader probePng(const Bytes& b)
{
    ImageHeader h;
    h.format = "PNG";
    b.need(0, 33);
    if (!b.matches(12, "IHDR", 4))
        b.corrupt("first chunk is not IHDR");
    h.width = int(b.be32(16));
    h.height = int(b.be32(20));
    h.bitDepth = b.u8(24);
    const uint8_t colourType = b.u8(25);
    switch (colourType) {
    case 0: h.channels = 1; break;
    case 2: h.channels = 3; break;
    case 3: h.channels = 1, h.palette = true; break;
    case 4: h.channels = 2, h.hasAlpha = true; break;
    case 6: h.channels = 4, h.hasAlpha = true; break;
    default: b.corrupt("unknown colour type " + std::to_string(colourType));
    }
    checkSize(b, h);
    // Chunks are skipped by length, so a file cut inside a chunk is found without
    // decoding (libpng would report it only halfway through). A file that ends on a
    // chunk boundary after image data is left to libpng: Pillow accepts a missing IEND.
    bool sawData = false;
    for (size_t at = 8;;) {
        if (!b.has(at, 8)) {
            h.truncated = !sawData || at != b.size();
            break;
        }
        const size_t length = b.be32(at);
        if (!b.has(at, 12 + length)) {
            h.truncated = true;
            break;
        }
        if (b.matches(at + 4, "IEND", 4))
            break;
        sawData = sawData || b.matches(at + 4, "IDAT", 4);
        if (b.matches(at + 4, "tRNS", 4))
            h.transparency = true;
        if (b.matches(at + 4, "eXIf", 4) && b.has(at + 8, length))
            h.exifOrientation = exifOrientation(b, at + 8);
        at += 12 + length;
    }
    return h;
}

// Walks the segments after the frame header to the first scan; an end-of-image
// marker can only follow it (markers inside the scan data are byte-stuffed, and
// an EXIF thumbnail's own EOI sits before it).
bool hasEndMarker(const Bytes& b, size_t at)
{
    while (b.has(at, 4) && b.u8(at) == 0xFF) {
        const uint8_t marker = b.u8(at + 1);
        if (marker == 0xFF) {
            ++at;
            continue;
        }
        if (marker == 0xDA) {
            for (size_t i = b.size() - 2; i > at; --i)
                if (b.u8(i) == 0xFF && b.u8(i + 1) == 0xD9)
                    return true;
            return false;
        }
        at += 2 + b.be16(at + 2);
    }
    return false;
}

ImageHeader probeJpeg(const Bytes& b)
{
    ImageHeader h;
    h.format = "JPEG";
    size_t at = 2;
    for (;;) {
        if (b.u8(at) != 0xFF)
            b.corrupt("expected a marker at byte " + std::to_string(at));
        while (b.u8(at) == 0xFF)
            ++at;
        const uint8_t marker = b.u8(at++);
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            continue;  // standalone markers carry no length
        if (marker == 0xD9 || marker == 0xDA)
            b.corrupt("no frame header before the image data");
        const size_t length = b.be16(at);
        if (length < 2)
            b.corrupt("bad segment length");
        const size_t payload = at + 2;
        const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof) {
            h.bitDepth = b.u8(payload);
            h.height = int(b.be16(payload + 1));
            h.width = int(b.be16(payload + 3));
            h.channels = b.u8(payload + 5);
            h.cmyk = h.channels == 4;
            if (h.height == 0)
                b.corrupt("frame height 0 (DNL-defined heights are not supported)");
            checkSize(b, h);
            h.truncated = !hasEndMarker(b, at + length);
            return h;
        }
        if (marker == 0xE1 && length >= 16 && b.matches(payload, "Exif\0\0", 6))
            h.exifOrientation = exifOrientation(b, payload + 6);
        at += length;
    }
}

ImageHeader probeWebp(const Bytes& b, const std::string& name)
{
    ImageHeader h;
    h.format = "WebP";
    h.channels = 3;
    if (b.matches(12, "VP8X", 4)) {
        const uint8_t flags = b.u8(20);
        if (flags & 0x02)
            unsupported(name, "animated WebP");
        h.hasAlpha = (flags & 0x10) != 0;
        h.width = int(b.le24(24) + 1);
        h.height = int(b.le24(27) + 1);
    } else if (b.matches(12, "VP8L", 4)) {
        if (b.u8(20) != 0x2F)
            b.corrupt("bad lossless signature");
        const uint32_t bits = b.le32(21);
        h.width = int((bits & 0x3FFF) + 1);
        h.height = int(((bits >> 14) & 0x3FFF) + 1);
        h.hasAlpha = ((bits >> 28) & 1) != 0;
    } else if (b.matches(12, "VP8 ", 4)) {
        b.need(0, 30);
        if (!b.matches(23, "\x9d\x01\x2a", 3))
            b.corrupt("bad lossy frame start code");
        h.width = int(b.le16(26) & 0x3FFF);
        h.height = int(b.le16(28) & 0x3FFF);
    } else {
        b.need(0, 16);
        b.corrupt("unknown first chunk");
    }
    if (h.hasAlpha)
        h.channels = 4;
    checkSize(b, h);
    return h;
}

// Pillow opens a BMP whose palette is exactly the grey ramp 0..n-1 as "L",
// which it then resizes with the real filter instead of nearest neighbour.
bool isGreyRamp(const Bytes& b, uint32_t dibSize, uint32_t bpp)
{
    if (bpp == 1 || bpp > 8)
        return false;  // two-colour images are mode "1": nearest neighbour either way
    const size_t entry = dibSize == 12 ? 3 : 4;
    uint32_t colours = dibSize >= 40 ? b.le32(46) : 0;
    if (colours == 0 || colours > 256)
        colours = 1u << bpp;
    const size_t table = 14 + dibSize;
    for (uint32_t i = 0; i < colours; ++i)
        for (size_t c = 0; c < 3; ++c)
            if (b.u8(table + i * entry + c) != i)
                return false;
    return true;
}

ImageHeader probeBmp(const Bytes& b)
{
    ImageHeader h;
    h.format = "BMP";
    const uint32_t dibSize = b.le32(14);
    uint32_t bpp = 0, compression = 0;
    if (dibSize == 12) {
        h.width = int(b.le16(18));
        h.height = int(b.le16(20));
        bpp = b.le16(24);
    } else {
        h.width = int(int32_t(b.le32(18)));
        // Negative heights mark top-down rows.
        h.height = int(std::abs(int64_t(int32_t(b.le32(22)))));
        bpp = b.le16(28);
        compression = b.le32(30);
    }
    h.palette = bpp <= 8 && !isGreyRamp(b, dibSize, bpp);
    // Pillow keeps a 32-bit BMP's fourth byte only when bit fields declare it alpha.
    h.hasAlpha = bpp == 32 && (compression == 3 || compression == 6);
    h.channels = bpp <= 8 ? 1 : (h.hasAlpha ? 4 : 3);
    checkSize(b, h);
    return h;
}

ImageHeader probeTiff(const Bytes& b, const std::string& name)
{
    if (b.u16(2, b.matches(0, "MM", 2)) == 43)
        unsupported(name, "BigTIFF");
    const TiffFields f = readTiffIfd(b, 0);
    ImageHeader h;
    h.format = "TIFF";
    h.width = int(f.width);
    h.height = int(f.height);
    h.channels = int(f.samples);
    h.bitDepth = int(f.bitsPerSample);
    h.palette = f.photometric == 3;
    h.cmyk = f.photometric == 5;
    h.hasAlpha = (f.extraSample == 1 || f.extraSample == 2) && !h.cmyk;
    h.tiffExtraSample = int(f.extraSample);
    h.exifOrientation = f.orientation;
    checkSize(b, h);
    return h;
}

// JP2 files wrap the codestream in boxes; the image header box holds the size.
ImageHeader probeJpeg2000(const Bytes& b)
{
    ImageHeader h;
    h.format = "JPEG 2000";
    if (b.matches(0, "\xff\x4f\xff\x51", 4)) {
        // SIZ: Lsiz Rsiz Xsiz Ysiz XOsiz YOsiz ... Csiz
        h.width = int(b.be32(8) - b.be32(16));
        h.height = int(b.be32(12) - b.be32(20));
        h.channels = int(b.be16(40));
    } else {
        size_t at = 0;
        for (;;) {
            const size_t length = b.be32(at);
            if (b.matches(at + 4, "jp2h", 4)) {
                at += 8;  // the first box inside is ihdr
                continue;
            }
            if (b.matches(at + 4, "ihdr", 4)) {
                h.height = int(b.be32(at + 8));
                h.width = int(b.be32(at + 12));
                h.channels = int(b.be16(at + 16));
                break;
            }
            if (length < 8)
                b.corrupt("bad box length");
            at += length;
        }
    }
    h.hasAlpha = h.channels == 2 || h.channels == 4;
    checkSize(b, h);
    return h;
}

// ISO base media files (HEIF family) name their flavour in the ftyp box.
std::string isoMediaFormat(const Bytes& b)
{
    if (!b.matches(4, "ftyp", 4))
        return {};
    const size_t boxEnd = b.has(0, 4) ? std::min<size_t>(b.be32(0), b.size()) : 0;
    bool avif = false, heif = false;
    for (size_t at = 8; at + 4 <= boxEnd; at += 4) {
        if (at == 12)
            continue;  // minor version
        if (b.matches(at, "avif", 4) || b.matches(at, "avis", 4))
            avif = true;
        for (const char* brand : {"heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"})
            if (b.matches(at, brand, 4))
                heif = true;
    }
    if (avif)
        return "AVIF";
    return heif ? "HEIC/HEIF" : std::string();
}

bool looksLikeSvg(const std::string& bytes)
{
    const std::string head = bytes.substr(0, 1024);
    const size_t start = head.find_first_not_of(" \t\r\n\xef\xbb\xbf");
    if (start == std::string::npos || head[start] != '<')
        return false;
    return head.find("<svg") != std::string::npos || head.find("<!DOCTYPE svg") != std::string::npos;
}

// Formats recognised by their magic bytes that we refuse by name: OpenCV as built
// here cannot read them, or reads them differently from the reference pipeline.
std::string refusedFormat(const Bytes& b, const std::string& bytes)
{
    struct Magic {
        const char* bytes;
        size_t length;
        const char* name;
    };
    static const Magic magics[] = {
        {"GIF87a", 6, "GIF"},
        {"GIF89a", 6, "GIF"},
        {"8BPS", 4, "PSD (Photoshop)"},
        {"%PDF", 4, "PDF"},
        {"\x76\x2f\x31\x01", 4, "OpenEXR"},
        {"\xff\x0a", 2, "JPEG XL"},
        {"\0\0\0\x0cJXL \r\n\x87\n", 12, "JPEG XL"},
        {"qoif", 4, "QOI"},
        {"DDS ", 4, "DDS"},
        {"#?RADIANCE", 10, "Radiance HDR"},
        {"#?RGBE", 6, "Radiance HDR"},
        {"\x59\xa6\x6a\x95", 4, "Sun raster"},
    };
    for (const Magic& m : magics)
        if (b.matches(0, m.bytes, m.length))
            return m.name;
    if (b.size() >= 6 && b.matches(0, "\0\0", 2) && (b.u8(2) == 1 || b.u8(2) == 2) && b.u8(3) == 0 &&
        b.le16(4) > 0)
        return b.u8(2) == 1 ? "ICO" : "CUR";
    if (b.size() >= 3 && b.u8(0) == 'P' && b.u8(1) >= '1' && b.u8(1) <= '7' &&
        (b.u8(2) == '\n' || b.u8(2) == ' ' || b.u8(2) == '\r' || b.u8(2) == '\t'))
        return "PNM";
    const std::string iso = isoMediaFormat(b);
    if (!iso.empty())
        return iso;
    if (looksLikeSvg(bytes))
        return "SVG";
    return {};
}

}  // namespace

std::string ImageHeader::pillowMode() const
{
    if (palette)
        return "P";
    if (cmyk)
        return "CMYK";
    if (bitDepth == 16 && channels == 1)
        return "I;16";
    switch (channels) {
    case 1: return "L";
    case 2: return "LA";
    case 4: return hasAlpha ? "RGBA" : "CMYK";
    default: return "RGB";
    }
}

ImageHeader probeImageHeader(const std::string& bytes, const std::string& name)
{
    if (bytes.empty())
        throw ImageError(Reason::Empty, name, "the file is empty");
    auto bytesAs = [&](const char* format) { return Bytes(bytes, name, format); };
    const Bytes any = bytesAs("image");
    if (any.matches(0, "\x89PNG\r\n\x1a\n", 8))
        return probePng(bytesAs("PNG"));
    if (any.matches(0, "\xff\xd8\xff", 3))
        return probeJpeg(bytesAs("JPEG"));
    if (any.matches(0, "RIFF", 4) && any.matches(8, "WEBP", 4))
        return probeWebp(bytesAs("WebP"), name);
    if (any.matches(0, "BM", 2) && bytes.size() >= 14)
        return probeBmp(bytesAs("BMP"));
    if (any.matches(0, "II*\0", 4) || any.matches(0, "MM\0*", 4) || any.matches(0, "II+\0", 4) ||
        any.matches(0, "MM\0+", 4))
        return probeTiff(bytesAs("TIFF"), name);
    if (any.matches(0, "\0\0\0\x0cjP  \r\n\x87\n", 12) || any.matches(0, "\xff\x4f\xff\x51", 4))
        return probeJpeg2000(bytesAs("JPEG 2000"));
    const std::string refused = refusedFormat(any, bytes);
    if (!refused.empty())
        unsupported(name, refused);
    // The file's bytes never go into the message: it is stored in the
    // gallery and shown to others, and the file may be anything a link points at.
    throw ImageError(Reason::Unsupported, name, "not a recognised image (its content matches no image format)");
}

}  // namespace xbt

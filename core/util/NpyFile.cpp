#include "core/util/NpyFile.h"

#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/Half.h"
#include "core/util/Utf8.h"

#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

namespace xbt {

int64_t NpyArray::elementCount() const
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return n;
}

namespace {

std::string shapeText(const std::vector<int64_t>& shape)
{
    std::ostringstream s;
    s << '(';
    for (size_t i = 0; i < shape.size(); ++i) {
        s << shape[i];
        if (shape.size() == 1 || i + 1 < shape.size())
            s << ',';
        if (i + 1 < shape.size())
            s << ' ';
    }
    s << ')';
    return s.str();
}

void writeRaw(const std::string& path, const std::string& descr, const std::vector<int64_t>& shape,
              const void* data, size_t byteCount)
{
    std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeText(shape) + ", }";
    // Magic (6) + version (2) + header length (2) + header + '\n', padded to 64 bytes.
    const size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header.push_back('\n');
    std::string out;
    out.reserve(10 + header.size() + byteCount);
    out.append("\x93NUMPY", 6);
    out.push_back('\x01');
    out.push_back('\x00');
    const uint16_t len = static_cast<uint16_t>(header.size());
    out.push_back(static_cast<char>(len & 0xff));
    out.push_back(static_cast<char>(len >> 8));
    out += header;
    out.append(static_cast<const char*>(data), byteCount);
    writeFileAtomic(path, out);
}

}  // namespace

void writeNpy(const std::string& path, const float* data, const std::vector<int64_t>& shape)
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    writeRaw(path, "<f4", shape, data, static_cast<size_t>(n) * sizeof(float));
}

void writeNpy(const std::string& path, const Matrix& m)
{
    writeNpy(path, m.data.data(), {m.rows, m.cols});
}

void writeNpyInt64(const std::string& path, const int64_t* data, const std::vector<int64_t>& shape)
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    writeRaw(path, "<i8", shape, data, static_cast<size_t>(n) * sizeof(int64_t));
}

namespace {

// The dimensions of a header's shape tuple: non-negative integers only.
template <typename Fail>
std::vector<int64_t> parseShape(const std::string& text, const Fail& fail)
{
    std::vector<int64_t> shape;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ',')) {
        const size_t first = part.find_first_not_of(" \t");
        if (first == std::string::npos)
            continue;  // the trailing comma of a 1-tuple
        const std::string digits = part.substr(first, part.find_last_not_of(" \tL") - first + 1);
        // 19 digits reach past int64's range only above 9.2e18: refused too.
        if (digits.empty() || digits.size() > 19 || digits.find_first_not_of("0123456789") != std::string::npos ||
            (digits.size() == 19 && digits > "9223372036854775807"))
            throw fail("shape entry '" + printableExcerpt(digits) + "' is not a non-negative integer");
        shape.push_back(std::stoll(digits));
    }
    return shape;
}

}  // namespace

NpyArray readNpy(const std::string& path)
{
    const std::string content = readFileBytes(path);
    auto fail = [&](const std::string& why) { return Error(path + ": not a valid .npy file (" + why + ")"); };
    if (content.size() < 10 || std::memcmp(content.data(), "\x93NUMPY", 6) != 0)
        throw fail("missing NUMPY magic");
    const int major = static_cast<unsigned char>(content[6]);
    size_t headerLen = 0;
    size_t offset = 0;
    if (major == 1) {
        headerLen = static_cast<unsigned char>(content[8]) | (static_cast<unsigned char>(content[9]) << 8);
        offset = 10;
    } else if (major == 2 || major == 3) {
        if (content.size() < 12)
            throw fail("truncated header");
        headerLen = 0;
        for (int i = 3; i >= 0; --i)
            headerLen = (headerLen << 8) | static_cast<unsigned char>(content[8 + i]);
        offset = 12;
    } else {
        throw fail("unknown format version " + std::to_string(major));
    }
    if (content.size() < offset + headerLen)
        throw fail("truncated header");
    const std::string header = content.substr(offset, headerLen);
    NpyArray arr;
    std::smatch m;
    if (!std::regex_search(header, m, std::regex("'descr'\\s*:\\s*'([^']+)'")))
        throw fail("no descr in header");
    arr.dtype = m[1];
    if (arr.dtype.size() > 1 && arr.dtype[0] == '|')
        arr.dtype[0] = '<';
    arr.fortranOrder = std::regex_search(header, std::regex("'fortran_order'\\s*:\\s*True"));
    if (!std::regex_search(header, m, std::regex("'shape'\\s*:\\s*\\(([^)]*)\\)")))
        throw fail("no shape in header");
    arr.shape = parseShape(m[1], fail);
    size_t itemSize = 0;
    if (arr.dtype == "<f4" || arr.dtype == "<i4")
        itemSize = 4;
    else if (arr.dtype == "<f8" || arr.dtype == "<i8")
        itemSize = 8;
    else if (arr.dtype == "<f2")
        itemSize = 2;
    else
        throw fail("unsupported dtype '" + printableExcerpt(arr.dtype) +
                   "' (expected float16/32/64 or int32/64, little-endian)");
    // Sizes checked against the file before any allocation: a header may
    // claim anything (2^61 rows).
    const size_t dataStart = offset + headerLen;
    const size_t available = content.size() - dataStart;
    size_t expected = itemSize;
    for (int64_t d : arr.shape) {
        if (d != 0 && expected > available / static_cast<size_t>(d))
            throw fail("the header's shape " + shapeText(arr.shape) + " needs more data than the file's " +
                       std::to_string(available) + " bytes");
        expected *= static_cast<size_t>(d);
    }
    if (available < expected)
        throw fail("data is truncated: expected " + std::to_string(expected) + " bytes for shape " +
                   shapeText(arr.shape) + ", found " + std::to_string(available));
    arr.bytes.assign(content.begin() + static_cast<std::ptrdiff_t>(dataStart),
                     content.begin() + static_cast<std::ptrdiff_t>(dataStart + expected));
    return arr;
}

Matrix readNpyMatrix(const std::string& path)
{
    NpyArray arr = readNpy(path);
    if (arr.shape.size() != 2)
        throw Error(path + ": expected a 2-D array [rows, dims], found " + std::to_string(arr.shape.size()) +
                    " dimensions");
    Matrix m(arr.shape[0], arr.shape[1]);
    const size_t n = m.data.size();
    if (arr.dtype == "<f4") {
        std::memcpy(m.data.data(), arr.bytes.data(), n * sizeof(float));
    } else if (arr.dtype == "<f8") {
        const double* src = reinterpret_cast<const double*>(arr.bytes.data());
        for (size_t i = 0; i < n; ++i)
            m.data[i] = static_cast<float>(src[i]);
    } else if (arr.dtype == "<f2") {
        const uint16_t* src = reinterpret_cast<const uint16_t*>(arr.bytes.data());
        for (size_t i = 0; i < n; ++i)
            m.data[i] = halfToFloat(src[i]);
    } else {
        throw Error(path + ": expected floating-point embeddings, found dtype '" + arr.dtype + "'");
    }
    if (arr.fortranOrder) {
        Matrix t(m.rows, m.cols);
        for (int64_t i = 0; i < m.rows; ++i)
            for (int64_t j = 0; j < m.cols; ++j)
                t.at(i, j) = m.data[static_cast<size_t>(j * m.rows + i)];
        return t;
    }
    return m;
}

}  // namespace xbt

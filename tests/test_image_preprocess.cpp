// Image decoding and CLIP preprocessing: bit-compatibility with the reference
// pipeline (PIL + torchvision), odd modes, and clear refusals of bad input.
#include "core/image/ClipImagePreprocessor.h"
#include "core/image/ImageError.h"
#include "core/image/ImageHeader.h"
#include "core/image/Thumbnail.h"
#include "core/util/FileUtil.h"
#include "core/util/NpyFile.h"
#include "tests/TestSupport.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>

using namespace xbt;

namespace {

struct Difference {
    double max = 0;
    double mean = 0;
};

Difference difference(const std::vector<float>& a, const std::vector<float>& b)
{
    Difference d;
    for (size_t i = 0; i < a.size(); ++i) {
        const double e = std::fabs(double(a[i]) - double(b[i]));
        d.max = std::max(d.max, e);
        d.mean += e;
    }
    d.mean /= double(a.size());
    return d;
}

double cosine(const std::vector<float>& a, const std::vector<float>& b)
{
    double dot = 0, na = 0, nb = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        dot += double(a[i]) * b[i];
        na += double(a[i]) * a[i];
        nb += double(b[i]) * b[i];
    }
    return dot / std::sqrt(na * nb);
}

std::vector<float> readReference(const QString& path)
{
    const NpyArray npy = readNpy(path.toStdString());
    if (npy.dtype != "<f4" || npy.shape != std::vector<int64_t>{3, 224, 224})
        qFatal("unexpected reference array in %s", qPrintable(path));
    std::vector<float> values(size_t(npy.elementCount()));
    std::memcpy(values.data(), npy.bytes.data(), values.size() * sizeof(float));
    return values;
}

QString oddImage(const QString& name)
{
    return xbt::test::fixtureDir() + "/odd/" + name;
}

PixelTensor preprocess(const QString& path, PreprocessSettings settings = {})
{
    return ClipImagePreprocessor(settings).preprocessFile(path.toStdString());
}

bool isClipTensor(const PixelTensor& t)
{
    return t.channels == 3 && t.height == 224 && t.width == 224 && t.data.size() == size_t(3 * 224 * 224) &&
           std::all_of(t.data.begin(), t.data.end(), [](float v) { return std::isfinite(v); });
}

// The error the preprocessor raises for `path`; fails the test when there is none.
ImageError expectImageError(const QString& path, PreprocessSettings settings = {})
{
    try {
        preprocess(path, settings);
    } catch (const ImageError& e) {
        qInfo("%s", e.what());
        return e;
    }
    qFatal("no error for %s", qPrintable(path));
}

void verifyError(const QString& path, ImageError::Reason reason, const QString& detail)
{
    const ImageError e = expectImageError(path);
    QCOMPARE(ImageError::reasonName(e.reason()), ImageError::reasonName(reason));
    QVERIFY2(QString(e.what()).contains(QFileInfo(path).fileName()), e.what());
    QVERIFY2(QString(e.what()).contains(detail), e.what());
}

// Every <image>.npy in `dir` against the preprocessed <image>: within 0.02 on
// every element and 1e-3 on average.
void verifyReferences(const QDir& dir)
{
    const QStringList references = dir.entryList({"*.npy"}, QDir::Files, QDir::Name);
    QVERIFY2(!references.isEmpty(), qPrintable(dir.path()));
    for (const QString& reference : references) {
        const QString image = dir.filePath(reference.chopped(4));
        const PixelTensor t = preprocess(image);
        QVERIFY(isClipTensor(t));
        const Difference d = difference(t.data, readReference(dir.filePath(reference)));
        qInfo("%s: max %.6g mean %.6g", qPrintable(reference.chopped(4)), d.max, d.mean);
        QVERIFY2(d.max <= 0.02, qPrintable(image));
        QVERIFY2(d.mean < 1e-3, qPrintable(image));
    }
}

// A JPEG's first bytes up to its frame header, with an EXIF orientation in the
// given TIFF byte order.
std::string jpegHeaderWithOrientation(bool littleEndian, uint8_t orientation)
{
    const std::string tiff = littleEndian
        ? std::string("II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0", 18) + char(orientation) +
              std::string("\0\0\0\0\0\0\0", 7)
        : std::string("MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0", 19) + char(orientation) +
              std::string("\0\0\0\0\0\0", 6);
    const std::string app1 = std::string("Exif\0\0", 6) + tiff;
    const size_t length = app1.size() + 2;
    std::string jpeg("\xff\xd8\xff\xe1", 4);
    jpeg += char(length >> 8);
    jpeg += char(length & 0xff);
    jpeg += app1;
    // SOF0: 8-bit, 240 rows, 320 columns, 3 components.
    jpeg += std::string("\xff\xc0\0\x11\x08\0\xf0\x01\x40\x03\x01\x22\0\x02\x11\x01\x03\x11\x01", 19);
    return jpeg;
}

// Channel 0 (red) of a normalised tensor at (x, y).
float red(const PixelTensor& t, int x, int y)
{
    return t.data[size_t(y) * t.width + x];
}

}  // namespace

class TestImagePreprocess : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesReferenceCases() { verifyReferences(QDir(xbt::test::sharedDir() + "/clip/preprocess")); }

    // Formats and modes beyond the shared cases, against Pillow's output.
    void matchesPillowOnOddImages() { verifyReferences(QDir(xbt::test::fixtureDir() + "/odd")); }

    void badInputIsRefusedClearly()
    {
        QTemporaryDir tmp;
        const QString cases = xbt::test::sharedDir() + "/clip/preprocess/";
        const std::string jpeg = readFileBytes((cases + "case1.jpg").toStdString());
        const std::string png = readFileBytes((cases + "case0.png").toStdString());
        auto write = [&](const QString& name, const std::string& bytes) {
            writeFileAtomic(tmp.filePath(name).toStdString(), bytes);
            return tmp.filePath(name);
        };
        verifyError(write("empty.png", ""), ImageError::Reason::Empty, "empty");
        verifyError(write("cut.jpg", jpeg.substr(0, jpeg.size() / 2)), ImageError::Reason::Corrupt, "truncated");
        verifyError(write("cut.png", png.substr(0, png.size() * 2 / 3)), ImageError::Reason::Corrupt, "PNG");
        verifyError(write("header.png", png.substr(0, 20)), ImageError::Reason::Corrupt, "truncated PNG header");
        verifyError(write("notes.jpg", "just some text, not a photo\n"), ImageError::Reason::Unsupported,
                    "not a recognised image");
        verifyError(oddImage("image.gif"), ImageError::Reason::Unsupported, "unsupported image format GIF");
        verifyError(tmp.filePath("missing.png"), ImageError::Reason::Unreadable, "missing.png");
    }

    void headersAreProbedWithoutDecoding()
    {
        auto probe = [](const QString& name) {
            return probeImageHeader(readFileBytes(oddImage(name).toStdString()), name.toStdString());
        };
        const ImageHeader huge = probe("huge_header.png");
        QCOMPARE(huge.width, 30000);
        QCOMPARE(huge.height, 30000);
        QCOMPARE(QString::fromStdString(probe("cmyk.jpg").pillowMode()), QStringLiteral("CMYK"));
        QCOMPARE(QString::fromStdString(probe("grey.jpg").pillowMode()), QStringLiteral("L"));
        QCOMPARE(QString::fromStdString(probe("la.png").pillowMode()), QStringLiteral("LA"));
        QCOMPARE(QString::fromStdString(probe("grey16.png").pillowMode()), QStringLiteral("I;16"));
        const ImageHeader palette = probe("palette_trns.png");
        QVERIFY(palette.palette && palette.transparency);
        const ImageHeader oriented = probe("orient6.jpg");
        QCOMPARE(oriented.exifOrientation, 6);
        QCOMPARE(oriented.width, 320);
        QCOMPARE(oriented.height, 240);
        const ImageHeader webp = probe("alpha.webp");
        QVERIFY(webp.format == "WebP" && webp.width == 210 && webp.height == 230 && webp.hasAlpha);
        const ImageHeader lossy = probe("lossy.webp");
        QVERIFY(lossy.format == "WebP" && lossy.width == 230 && lossy.height == 210 && !lossy.hasAlpha);
        const ImageHeader tiff = probe("rgba.tif");
        QVERIFY(tiff.format == "TIFF" && tiff.width == 210 && tiff.height == 230);
        QCOMPARE(QString::fromStdString(tiff.pillowMode()), QStringLiteral("RGBA"));
        const ImageHeader bmp = probe("grey.bmp");
        QVERIFY(bmp.format == "BMP" && bmp.width == 250 && bmp.height == 240);
        QCOMPARE(QString::fromStdString(bmp.pillowMode()), QStringLiteral("L"));
    }

    void exifOrientationInBothByteOrders()
    {
        for (const bool littleEndian : {true, false}) {
            const ImageHeader h = probeImageHeader(jpegHeaderWithOrientation(littleEndian, 8), "exif.jpg");
            QCOMPARE(h.exifOrientation, 8);
            QCOMPARE(h.width, 320);
            QCOMPARE(h.height, 240);
            QVERIFY(h.truncated);  // no scan data follows
        }
    }

    void oddModesEmbed()
    {
        for (const char* name :
             {"cmyk.jpg", "grey.jpg", "la.png", "palette_trns.png", "grey16.png", "rgb16.png", "large.jpg"}) {
            const PixelTensor t = preprocess(oddImage(name));
            QVERIFY2(isClipTensor(t), name);
        }
    }

    void oversizedImageIsRefusedFromItsHeader()
    {
        const ImageError e = expectImageError(oddImage("huge_header.png"));
        QCOMPARE(int(e.reason()), int(ImageError::Reason::TooLarge));
        QVERIFY2(QString(e.what()).contains("30000 x 30000 = 900.0 megapixels"), e.what());
        QVERIFY2(QString(e.what()).contains("--max-megapixels"), e.what());
    }

    void exifOrientationOnlyWhenAsked()
    {
        // Stored landscape with red left, blue right; upright (rotated 90 degrees
        // clockwise) red is on top.
        const PixelTensor stored = preprocess(oddImage("orient6.jpg"));
        QVERIFY(red(stored, 10, 112) > 1.0f && red(stored, 213, 112) < -1.0f);
        PreprocessSettings upright;
        upright.applyExifOrientation = true;
        const PixelTensor rotated = preprocess(oddImage("orient6.jpg"), upright);
        QVERIFY(red(rotated, 112, 10) > 1.0f && red(rotated, 112, 213) < -1.0f);
    }

    void fastDecodeStaysClose()
    {
        PreprocessSettings fast;
        fast.fastDecode = true;
        const PixelTensor exact = preprocess(oddImage("large.jpg"));
        const PixelTensor reduced = preprocess(oddImage("large.jpg"), fast);
        QVERIFY(isClipTensor(reduced));
        const double c = cosine(exact.data, reduced.data);
        qInfo("fast decode cosine %.6f", c);
        QVERIFY(exact.data != reduced.data);
        QVERIFY(c > 0.99);
    }

    // An image prepared for one model made into another model's input (a
    // query interpolated with the old model's own embedding of it).
    void preprocessedImagesConvertBetweenModels()
    {
        PreprocessSettings newer, older;
        newer.inputResolution = 96;
        older.inputResolution = 64;
        older.mean = {0.5f, 0.5f, 0.5f};
        older.std = {0.5f, 0.5f, 0.5f};
        const PixelTensor forNew = preprocess(oddImage("large.jpg"), newer);
        QVERIFY(convertPreprocessed(forNew, newer, newer).data == forNew.data);
        const PixelTensor converted = convertPreprocessed(forNew, newer, older);
        const PixelTensor direct = preprocess(oddImage("large.jpg"), older);
        QCOMPARE(converted.width, 64);
        QCOMPARE(converted.height, 64);
        const double c = cosine(converted.data, direct.data);
        qInfo("converted vs direct cosine %.6f", c);
        QVERIFY(c > 0.99);
    }

    void thumbnailsAreUpright()
    {
        const std::vector<uint8_t> png = makeThumbnailPng(oddImage("orient6.jpg").toStdString(), 64);
        const ImageHeader h = probeImageHeader(std::string(png.begin(), png.end()), "thumbnail");
        QCOMPARE(QString::fromStdString(h.format), QStringLiteral("PNG"));
        QCOMPARE(h.width, 48);
        QCOMPARE(h.height, 64);
        try {
            makeThumbnailPng(oddImage("huge_header.png").toStdString(), 64);
            QFAIL("expected TooLarge");
        } catch (const ImageError& e) {
            QCOMPARE(int(e.reason()), int(ImageError::Reason::TooLarge));
        }
    }
};

QTEST_GUILESS_MAIN(TestImagePreprocess)
#include "test_image_preprocess.moc"

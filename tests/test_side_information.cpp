// FCT side information: the colour layout of an image and the hashed words of
// a caption (what indexing stores and a side-information transform reads),
// the input layout such a transform takes, and the recorded spec.
#include "core/embed/SideInformation.h"
#include "core/image/ColorLayout.h"
#include "core/image/ImageError.h"
#include "core/text/WordHashing.h"
#include "core/util/Error.h"
#include "tests/TestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <array>
#include <cmath>
#include <functional>
#include <numeric>

using namespace xbt;

namespace {

RasterImage rgb(int w, int h, const std::function<std::array<uint8_t, 3>(int, int)>& pixel)
{
    RasterImage image;
    image.mode = PixelMode::RGB;
    image.width = w;
    image.height = h;
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (uint8_t v : pixel(x, y))
                image.pixels.push_back(v);
    return image;
}

double norm(const std::vector<float>& v)
{
    return std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0));
}

double cosine(const std::vector<float>& a, const std::vector<float>& b)
{
    return std::inner_product(a.begin(), a.end(), b.begin(), 0.0) / (norm(a) * norm(b));
}

}  // namespace

class TestSideInformation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // A flat colour has only the DC terms: each channel's mean in [0, 1].
    void flatColourHasOnlyItsMeans()
    {
        const std::vector<float> d = colorLayoutDescriptor(rgb(40, 30, [](int, int) {
            return std::array<uint8_t, 3>{255, 255, 255};
        }), 64);
        QCOMPARE(d.size(), size_t(64));
        // Y of white is 1; Cr and Cb of a grey are 0.5 (their offset).
        QVERIFY(std::abs(d[0] - 1.0f) < 1e-3);
        QVERIFY(std::abs(d[32] - 0.5f) < 1e-3);
        QVERIFY(std::abs(d[48] - 0.5f) < 1e-3);
        for (size_t i = 0; i < d.size(); ++i)
            if (i != 0 && i != 32 && i != 48)
                QVERIFY2(std::abs(d[i]) < 1e-4, qPrintable(QString::number(i)));
    }

    // Where a colour sits is what the descriptor keeps: dark on the left,
    // light on the right is a horizontal frequency (zig-zag 1), no vertical
    // one (zig-zag 2); the mirror image flips its sign; the image's size
    // does not matter.
    void layoutIsWhereTheColoursAre()
    {
        auto halves = [](int w, int h, bool lightRight) {
            return rgb(w, h, [=](int x, int) {
                const bool light = (x >= w / 2) == lightRight;
                const uint8_t v = light ? 220 : 20;
                return std::array<uint8_t, 3>{v, v, v};
            });
        };
        const std::vector<float> a = colorLayoutDescriptor(halves(64, 48, true), 64);
        const std::vector<float> b = colorLayoutDescriptor(halves(64, 48, false), 64);
        const std::vector<float> big = colorLayoutDescriptor(halves(640, 480, true), 64);
        QVERIFY(std::abs(a[1]) > 0.1);
        QVERIFY(std::abs(a[2]) < 1e-4);
        QVERIFY(std::abs(a[1] + b[1]) < 1e-4);
        QVERIFY(std::abs(a[0] - b[0]) < 1e-4);
        for (size_t i = 0; i < a.size(); ++i)
            QVERIFY(std::abs(a[i] - big[i]) < 1e-3);
        // Colour: red on the left moves Cr's horizontal term, not Y's alone.
        const std::vector<float> red = colorLayoutDescriptor(rgb(64, 48, [](int x, int) {
            return x < 32 ? std::array<uint8_t, 3>{230, 20, 20} : std::array<uint8_t, 3>{20, 20, 20};
        }), 64);
        QVERIFY(std::abs(red[33]) > 0.05);
    }

    void descriptorErrorsSayWhatIsWrong()
    {
        const RasterImage image = rgb(8, 8, [](int, int) { return std::array<uint8_t, 3>{1, 2, 3}; });
        VERIFY_CONTAINS(test::errorOf([&] { colorLayoutDescriptor(image, 30); }), "multiple of 4");
        QTemporaryDir dir;
        const std::string broken = dir.filePath("broken.png").toStdString();
        test::writeTestFile(dir, "broken.png", "not a png at all");
        const QString e = test::errorOf([&] { colorLayoutOfFile(broken, 64); });
        VERIFY_CONTAINS(e, "broken.png");
        VERIFY_CONTAINS(test::errorOf([&] { imageSideInformation({broken}); }), "broken.png");
    }

    // Every word and word pair lands in a fixed signed bucket (FNV-1a), the
    // same on every machine; case and punctuation do not matter; word order does.
    void wordsAndPairsHashToFixedBuckets()
    {
        const std::vector<float> red = hashedWordFeatures("Red", 64);
        for (size_t i = 0; i < red.size(); ++i)
            QCOMPARE(red[i], i == 19 ? 1.0f : 0.0f);  // FNV-1a("w:red") % 64 = 19, top bit set: +1
        const std::vector<float> phrase = hashedWordFeatures("red circle", 64);
        // w:red -> 19, w:circle -> 56, p:red circle -> 10, each +1, scaled to unit length.
        for (size_t i = 0; i < phrase.size(); ++i)
            QVERIFY(std::abs(phrase[i] - ((i == 19 || i == 56 || i == 10) ? 1.0f / std::sqrt(3.0f) : 0.0f)) < 1e-6);
        QCOMPARE(hashedWordFeatures("RED, circle!", 64), phrase);
        QVERIFY(std::abs(norm(hashedWordFeatures("a small red circle left of a big blue square", 64)) - 1.0) < 1e-6);
        const double swapped = cosine(hashedWordFeatures("red circle and blue square", 64),
                                      hashedWordFeatures("blue circle and red square", 64));
        QVERIFY2(swapped < 0.95, qPrintable(QString::number(swapped)));
        QVERIFY(norm(hashedWordFeatures(" ,;", 64)) == 0.0);
    }

    // [old | image side | 0] and [old | 0 | text side].
    void transformInputKeepsTheModalitiesApart()
    {
        Matrix old(2, 3);
        Matrix side(2, SideInformationSpec::kDims);
        for (size_t i = 0; i < old.data.size(); ++i)
            old.data[i] = float(i + 1);
        for (size_t i = 0; i < side.data.size(); ++i)
            side.data[i] = -float(i + 1);
        const Matrix images = withImageSideInformation(old, side);
        const Matrix texts = withTextSideInformation(old, side);
        const int64_t k = SideInformationSpec::kDims;
        QCOMPARE(images.cols, 3 + 2 * k);
        for (int64_t r = 0; r < 2; ++r) {
            for (int64_t c = 0; c < 3; ++c) {
                QCOMPARE(images.at(r, c), old.at(r, c));
                QCOMPARE(texts.at(r, c), old.at(r, c));
            }
            for (int64_t c = 0; c < k; ++c) {
                QCOMPARE(images.at(r, 3 + c), side.at(r, c));
                QCOMPARE(images.at(r, 3 + k + c), 0.0f);
                QCOMPARE(texts.at(r, 3 + c), 0.0f);
                QCOMPARE(texts.at(r, 3 + k + c), side.at(r, c));
            }
        }
        VERIFY_CONTAINS(test::errorOf([&] { withImageSideInformation(old, Matrix(3, k)); }), "rows");
    }

    // A gallery records the spec, an adapter the spec and which blocks it reads.
    void specIsRecordedAndChecked()
    {
        QVERIFY(!SideInformationSpec::recorded(nlohmann::json(), "adapter 'a'"));
        QVERIFY(!SideInformationSpec::recordedUse(nlohmann::json(), "adapter 'a'").any());
        QVERIFY(SideInformationSpec::recorded(SideInformationSpec::toJson(), "gallery 'g'"));
        const SideInformationUse captions = SideInformationSpec::recordedUse(
            SideInformationSpec::toJson(SideInformationUse::parse("captions", "test")), "adapter 'a'");
        QVERIFY(captions.captions && !captions.images);
        QCOMPARE(captions.name(), std::string("captions"));
        for (const char* name : {"none", "captions", "images", "both"})
            QCOMPARE(SideInformationUse::parse(name, "test").name(), std::string(name));
        VERIFY_CONTAINS(test::errorOf([] { SideInformationUse::parse("all", "fct setting side_information"); }),
                        "none, captions, images, both");
        nlohmann::json other = SideInformationSpec::toJson();
        other["version"] = 2;
        VERIFY_CONTAINS(test::errorOf([&] { SideInformationSpec::recorded(other, "adapter 'a'"); }), "adapter 'a'");
        VERIFY_CONTAINS(test::errorOf([&] { SideInformationSpec::recordedUse(SideInformationSpec::toJson(), "adapter 'a'"); }),
                        "uses");
    }

    // A block the transform does not read stays zero.
    void anEmptyBlockIsZeros()
    {
        const Matrix old = randomUnitRows(2, 4, 3);
        const Matrix in = withImageSideInformation(old, Matrix());
        QCOMPARE(in.cols, 4 + SideInformationSpec::inputColumns());
        for (int64_t c = 4; c < in.cols; ++c)
            QCOMPARE(in.at(1, c), 0.0f);
    }
};

QTEST_GUILESS_MAIN(TestSideInformation)
#include "test_side_information.moc"

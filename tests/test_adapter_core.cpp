// The compatibility-adapter core: closed-form fits (least squares,
// Procrustes), phi, the adapted model, the model checks, saving and loading
// in a workspace (a failed save keeps the previous adapter), the
// standalone TorchScript export read back with LibTorch, and the pseudo
// captions of unlabelled images.
#include "core/adapt/AdapterInfo.h"
#include "core/adapt/AdapterStore.h"
#include "core/adapt/ClosedFormFit.h"
#include "core/adapt/CompatibilityAdapter.h"
#include "core/adapt/training/ImageMapFit.h"
#include "core/adapt/training/torch/PseudoCaptions.h"
#include "core/workspace/Workspace.h"
#include "core/model/ModelLoader.h"
#include "core/model/ModelOptions.h"
#include "core/model/builtin/BuiltinSampleModel.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "tests/TestDoubles.h"
#include "tests/TestSupport.h"

#include <torch/script.h>

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <random>

using namespace xbt;
using namespace xbt::test;

namespace {

Matrix gaussian(int64_t rows, int64_t cols, uint32_t seed, float scale = 1.0f)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, scale);
    Matrix m(rows, cols);
    for (float& x : m.data)
        x = normal(rng);
    return m;
}

std::vector<float> gaussianVector(int64_t n, uint32_t seed, float scale)
{
    return gaussian(1, n, seed, scale).data;
}

// a [n, k] times b^T, b [m, k]: [n, m], in double.
Matrix timesTransposed(const Matrix& a, const Matrix& b)
{
    Matrix out(a.rows, b.rows);
    for (int64_t i = 0; i < a.rows; ++i)
        for (int64_t j = 0; j < b.rows; ++j) {
            double s = 0.0;
            for (int64_t k = 0; k < a.cols; ++k)
                s += static_cast<double>(a.at(i, k)) * b.at(j, k);
            out.at(i, j) = static_cast<float>(s);
        }
    return out;
}

Matrix transposed(const Matrix& m)
{
    Matrix t(m.cols, m.rows);
    for (int64_t i = 0; i < m.rows; ++i)
        for (int64_t j = 0; j < m.cols; ++j)
            t.at(j, i) = m.at(i, j);
    return t;
}

// A random orthogonal matrix: Gram-Schmidt on Gaussian rows, in double.
Matrix randomRotation(int64_t d, uint32_t seed)
{
    const Matrix g = gaussian(d, d, seed);
    std::vector<std::vector<double>> rows;
    for (int64_t i = 0; i < d; ++i) {
        std::vector<double> v(g.row(i), g.row(i) + d);
        for (const auto& u : rows) {
            double dot = 0.0;
            for (int64_t k = 0; k < d; ++k)
                dot += v[k] * u[k];
            for (int64_t k = 0; k < d; ++k)
                v[k] -= dot * u[k];
        }
        double norm = 0.0;
        for (double x : v)
            norm += x * x;
        for (double& x : v)
            x /= std::sqrt(norm);
        rows.push_back(v);
    }
    Matrix r(d, d);
    for (int64_t i = 0; i < d; ++i)
        for (int64_t k = 0; k < d; ++k)
            r.at(i, k) = static_cast<float>(rows[i][k]);
    return r;
}

float maxAbsDiff(const Matrix& a, const Matrix& b)
{
    if (a.rows != b.rows || a.cols != b.cols)
        return INFINITY;
    float m = 0.0f;
    for (size_t i = 0; i < a.data.size(); ++i)
        m = std::max(m, std::abs(a.data[i] - b.data[i]));
    return m;
}

float maxDistanceFromIdentity(const Matrix& gram)
{
    float m = 0.0f;
    for (int64_t i = 0; i < gram.rows; ++i)
        for (int64_t j = 0; j < gram.cols; ++j)
            m = std::max(m, std::abs(gram.at(i, j) - (i == j ? 1.0f : 0.0f)));
    return m;
}

ModelRef ref(const std::string& name, char fingerprintChar, int dims)
{
    return {name, std::string(64, fingerprintChar), dims};
}

AdapterInfo makeInfo(const std::string& name, const ModelRef& oldModel, const ModelRef& newModel)
{
    AdapterInfo info;
    info.name = name;
    info.method = "xbt";
    info.oldModel = oldModel;
    info.newModel = newModel;
    info.config = {{"hidden", 16}, {"sigma", 0.1}};
    info.data = {{"corpus_sentences", 1000}};
    info.metrics = {{"t2i_r1", 0.25}};
    info.seed = 7;
    info.trainingSeconds = 12.5;
    info.device = "cpu";
    info.created = "2024-01-01T00:00:00Z";
    return info;
}

ProjectionWeights randomProjection(int64_t dIn, int64_t dOut, int64_t hidden, uint32_t seed)
{
    ProjectionWeights p;
    p.linear = gaussian(dOut, dIn, seed, 0.3f);
    if (hidden > 0) {
        p.hiddenWeight = gaussian(hidden, dIn, seed + 1, 0.3f);
        p.hiddenBias = gaussianVector(hidden, seed + 2, 0.1f);
        p.outWeight = gaussian(dOut, hidden, seed + 3, 0.3f);
        p.outBias = gaussianVector(dOut, seed + 4, 0.1f);
    }
    return p;
}

FeatureAdapterWeights randomFeatureAdapter(int64_t dim, int64_t rank, uint32_t seed)
{
    FeatureAdapterWeights f;
    f.down = gaussian(rank, dim, seed, 0.3f);
    f.downBias = gaussianVector(rank, seed + 1, 0.1f);
    f.up = gaussian(dim, rank, seed + 2, 0.3f);
    f.upBias = gaussianVector(dim, seed + 3, 0.1f);
    return f;
}

// new (24-d) -> old (16-d), residual MLP and feature adapter.
std::shared_ptr<CompatibilityAdapter> fullAdapter(const std::string& name, uint32_t seed)
{
    auto a = std::make_shared<CompatibilityAdapter>(
        makeInfo(name, ref("old-double", 'a', 16), ref("new-double", 'b', 24)), randomProjection(24, 16, 32, seed));
    a->setFeatureAdapter(randomFeatureAdapter(24, 8, seed + 10));
    a->mutableInfo().imageTowerAdaptation = "feature-adapter";
    return a;
}

// Texts and images as fixed random unit vectors of the text's length and the
// image's channel means: enough to tell that the adapter sits on top.
class VectorModel : public EmbeddingModel {
public:
    // resolution > 0: images must come at that size, as for a real model.
    VectorModel(const std::string& name, char fingerprintChar, int dims, int resolution = 0)
        : resolution_(resolution)
    {
        info_.name = name;
        info_.kind = "test";
        info_.embeddingDim = dims;
        info_.fingerprint = std::string(64, fingerprintChar);
        if (resolution > 0)
            info_.preprocess.inputResolution = resolution;
    }
    const ModelInfo& info() const override { return info_; }
    Matrix encodeImages(const std::vector<PixelTensor>& images) override
    {
        for (const PixelTensor& p : images)
            if (resolution_ > 0 && (p.width != resolution_ || p.height != resolution_))
                throw Error(info_.name + " takes " + std::to_string(resolution_) + " px images, got " +
                            std::to_string(p.width));
        Matrix m(static_cast<int64_t>(images.size()), info_.embeddingDim);
        for (size_t i = 0; i < images.size(); ++i) {
            const Matrix r = randomUnitRows(1, info_.embeddingDim,
                                            static_cast<uint32_t>(1000 * channelMeans(images[i])[0]) + 1);
            std::copy(r.data.begin(), r.data.end(), m.row(static_cast<int64_t>(i)));
        }
        return m;
    }
    Matrix encodeTexts(const std::vector<std::string>& texts) override
    {
        Matrix m(static_cast<int64_t>(texts.size()), info_.embeddingDim);
        for (size_t i = 0; i < texts.size(); ++i) {
            const Matrix r = randomUnitRows(1, info_.embeddingDim, static_cast<uint32_t>(texts[i].size()) + 7);
            std::copy(r.data.begin(), r.data.end(), m.row(static_cast<int64_t>(i)));
        }
        return m;
    }
    const TextTokenizer& tokenizer() const override { return tokenizer_; }

private:
    int resolution_ = 0;
    ModelInfo info_;
    LengthTokenizer tokenizer_;
};

PixelTensor constantImage(int size, float value)
{
    PixelTensor t;
    t.height = size;
    t.width = size;
    t.data.assign(static_cast<size_t>(3 * size * size), value);
    for (size_t k = 0; k < t.data.size(); k += 7)
        t.data[k] = -value;
    return t;
}

torch::Tensor asTensor(const Matrix& m)
{
    return torch::from_blob(const_cast<float*>(m.data.data()), {m.rows, m.cols}, torch::kFloat32).clone();
}

Matrix asMatrix(const torch::Tensor& t)
{
    const torch::Tensor c = t.contiguous();
    Matrix m(c.size(0), c.size(1));
    std::memcpy(m.data.data(), c.data_ptr<float>(), m.data.size() * sizeof(float));
    return m;
}

Matrix callMethod(torch::jit::Module& module, const std::string& method, const Matrix& in)
{
    return asMatrix(module.get_method(method)({asTensor(in)}).toTensor());
}

Matrix callMethod(torch::jit::Module& module, const std::string& method, const Matrix& a, const Matrix& b)
{
    return asMatrix(module.get_method(method)({asTensor(a), asTensor(b)}).toTensor());
}

// normalize((1 - s) phi + s psi), row by row, written out by hand.
Matrix mixedByHand(const Matrix& phi, const Matrix& psi, double s)
{
    Matrix out(phi.rows, phi.cols);
    for (int64_t i = 0; i < phi.rows; ++i) {
        double norm = 0.0;
        for (int64_t j = 0; j < phi.cols; ++j) {
            const double v = (1.0 - s) * phi.at(i, j) + s * psi.at(i, j);
            out.row(i)[j] = static_cast<float>(v);
            norm += v * v;
        }
        for (int64_t j = 0; j < phi.cols; ++j)
            out.row(i)[j] = static_cast<float>(out.at(i, j) / std::sqrt(norm));
    }
    return out;
}

}  // namespace

class TestAdapterCore : public QObject {
    Q_OBJECT

private:
    QTemporaryDir tmp_;
    std::string path(const QString& name) const { return tmp_.filePath(name).toStdString(); }

private Q_SLOTS:
    void procrustesIsSemiOrthogonal_data()
    {
        QTest::addColumn<int>("dIn");
        QTest::addColumn<int>("dOut");
        QTest::newRow("square 32->32") << 32 << 32;
        QTest::newRow("wide 48->24 (A A^T = I)") << 48 << 24;
        QTest::newRow("tall 24->48 (A^T A = I)") << 24 << 48;
    }

    void procrustesIsSemiOrthogonal()
    {
        QFETCH(int, dIn);
        QFETCH(int, dOut);
        const Matrix source = gaussian(300, dIn, 1);
        const Matrix target = gaussian(300, dOut, 2);
        const Matrix a = fitProcrustes(source, target);
        QCOMPARE(a.rows, int64_t(dOut));
        QCOMPARE(a.cols, int64_t(dIn));
        // Only the smaller side's Gram matrix is the identity.
        const Matrix gram = dOut <= dIn ? timesTransposed(a, a) : timesTransposed(transposed(a), transposed(a));
        QCOMPARE(gram.rows, int64_t(std::min(dIn, dOut)));
        const float err = maxDistanceFromIdentity(gram);
        QVERIFY2(err < 1e-5f, qPrintable(QString::number(err)));
    }

    void procrustesRecoversARotation()
    {
        const int64_t d = 32;
        const Matrix r = randomRotation(d, 3);
        QVERIFY(maxDistanceFromIdentity(timesTransposed(r, r)) < 1e-5f);
        const Matrix source = gaussian(400, d, 4);
        Matrix target = timesTransposed(source, r);  // rows r * x
        const Matrix noise = gaussian(400, d, 5, 0.01f);
        for (size_t i = 0; i < target.data.size(); ++i)
            target.data[i] += noise.data[i];
        const Matrix a = fitProcrustes(source, target);
        const float err = maxAbsDiff(a, r);
        QVERIFY2(err < 5e-3f, qPrintable(QString::number(err)));
    }

    void leastSquaresRecoversALinearMap()
    {
        const Matrix m = gaussian(12, 20, 6);  // 20 -> 12
        const Matrix source = gaussian(500, 20, 7);
        const Matrix target = timesTransposed(source, m);
        const Matrix exact = fitLeastSquares(source, target, 0.0);
        QCOMPARE(exact.rows, int64_t(12));
        QCOMPARE(exact.cols, int64_t(20));
        QVERIFY2(maxAbsDiff(exact, m) < 1e-4f, qPrintable(QString::number(maxAbsDiff(exact, m))));
        // The default ridge only shrinks it a little.
        const float ridged = maxAbsDiff(fitLeastSquares(source, target), m);
        QVERIFY2(ridged < 1e-2f, qPrintable(QString::number(ridged)));
        // Too few pairs without a ridge: the error says what to do.
        const Matrix few = gaussian(5, 20, 8);
        VERIFY_CONTAINS(errorOf([&] { fitLeastSquares(few, timesTransposed(few, m), 0.0); }), "lambda");
        VERIFY_CONTAINS(errorOf([&] { fitLeastSquares(few, target, 0.0); }), "target rows");
    }

    // psi = H^T with H the least-squares map from old to new texts: when the
    // new embeddings are exactly H old, an image query psi(z) scores each
    // stored old caption as the new model scores its new embedding.
    void transposedTextMapRanksOldCaptionsAsTheNewModelWould()
    {
        const Matrix h = gaussian(24, 16, 40);  // old 16 -> new 24
        const Matrix oldTexts = gaussian(300, 16, 41);
        const Matrix newTexts = timesTransposed(oldTexts, h);
        const ProjectionWeights psi = transposedTextMap(oldTexts, newTexts, 0.0);
        QCOMPARE(psi.inputDim(), int64_t(24));
        QCOMPARE(psi.outputDim(), int64_t(16));
        QVERIFY2(maxAbsDiff(psi.linear, transposed(h)) < 1e-3f, qPrintable(QString::number(maxAbsDiff(psi.linear, transposed(h)))));
        const Matrix queries = gaussian(5, 24, 42);
        const Matrix captions = gaussian(40, 16, 43);
        const Matrix inOld = timesTransposed(psi.apply(queries), captions);             // <psi(z), old(c)>
        const Matrix inNew = timesTransposed(queries, timesTransposed(captions, h));    // <z, new(c)>
        for (int64_t q = 0; q < queries.rows; ++q) {
            // Same order of captions (psi only rescales each query).
            int64_t bestOld = 0, bestNew = 0;
            for (int64_t c = 1; c < captions.rows; ++c) {
                bestOld = inOld.at(q, c) > inOld.at(q, bestOld) ? c : bestOld;
                bestNew = inNew.at(q, c) > inNew.at(q, bestNew) ? c : bestNew;
            }
            QCOMPARE(bestOld, bestNew);
            for (int64_t c = 1; c < captions.rows; ++c)
                QCOMPARE(inOld.at(q, c) > inOld.at(q, 0), inNew.at(q, c) > inNew.at(q, 0));
        }
    }

    // An image map maps images only; texts keep phi. It replaces the image
    // side, so an adapter refuses to hold both, and it survives saving and export.
    void imageMapMapsImagesOnly()
    {
        const AdapterInfo info = makeInfo("mapped", ref("old-double", 'a', 16), ref("new-double", 'b', 24));
        auto adapter = std::make_shared<CompatibilityAdapter>(info, randomProjection(24, 16, 8, 44));
        const ProjectionWeights psi = randomProjection(24, 16, 0, 45);
        adapter->setImageMap(psi);
        const Matrix z = gaussian(9, 24, 46);
        QCOMPARE(maxAbsDiff(adapter->mapImages(z), psi.apply(z)), 0.0f);
        QCOMPARE(maxAbsDiff(adapter->mapTexts(z), adapter->projection().apply(z)), 0.0f);
        QVERIFY(adapter->mapsImageEmbeddings());
        VERIFY_CONTAINS(errorOf([&] { adapter->setFeatureAdapter(fullAdapter("f", 47)->featureAdapter()); }),
                        "holds only one");
        VERIFY_CONTAINS(errorOf([&] { adapter->setLoraDeltas({{"w", Matrix(2, 2)}}, {{"w", {2, 2}}}); }),
                        "holds only one");
        VERIFY_CONTAINS(errorOf([&] { fullAdapter("g", 48)->setImageMap(psi); }), "holds only one");
        VERIFY_CONTAINS(errorOf([&] { adapter->setImageMap(randomProjection(20, 16, 0, 49)); }), "20 -> 16");

        Workspace ws = Workspace::open(path("ws-image-map"), Workspace::Mode::ReadWrite);
        saveAdapter(ws, *adapter);
        QVERIFY(fileExists(ws.adapterDir("mapped") + "/tensors/image_map.linear.npy"));
        const auto loaded = loadAdapter(ws, "mapped");
        QVERIFY(loaded->hasImageMap());
        QCOMPARE(maxAbsDiff(loaded->mapImages(z), adapter->mapImages(z)), 0.0f);
        QCOMPARE(loaded->weightsFingerprint(), adapter->weightsFingerprint());
        QVERIFY(loaded->weightsFingerprint() != CompatibilityAdapter(info, adapter->projection()).weightsFingerprint());

        const ExportResult r = exportAdapter(*adapter, path("export-image-map"));
        torch::jit::Module module = torch::jit::load(r.torchscriptPath);
        QVERIFY(maxAbsDiff(callMethod(module, "forward_image", z), adapter->mapImages(z)) < 1e-5f);
        QVERIFY(maxAbsDiff(callMethod(module, "forward_text", z), adapter->mapTexts(z)) < 1e-5f);
        const nlohmann::json meta = nlohmann::json::parse(readFileBytes(r.metadataPath));
        VERIFY_CONTAINS(QString::fromStdString(meta["methods"]["forward_image"].get<std::string>()), "image map");

        // The adapted model's images go through psi, from the new model's own embeddings.
        auto newModel = std::make_shared<VectorModel>("new-double", 'b', 24);
        const std::unique_ptr<EmbeddingModel> adapted = makeAdaptedModel(newModel, adapter, {});
        const std::vector<PixelTensor> images{constantImage(8, 0.2f), constantImage(8, 0.7f)};
        QCOMPARE(maxAbsDiff(adapted->encodeImages(images), psi.apply(newModel->encodeImages(images))), 0.0f);
    }

    // Below share 1 an image query mixes the image map with phi and the
    // image side, normalize((1 - s) phi(side(z)) + s psi(z)); the share is
    // saved, part of the fingerprint, exported, and checked when read.
    void imageMapMixedWithTheImageSide()
    {
        auto adapter = fullAdapter("mixed", 60);
        adapter->mutableInfo().imageMapShare = 0.3;
        const ProjectionWeights psi = randomProjection(24, 16, 0, 61);
        adapter->setImageMap(psi);
        QVERIFY(adapter->mixesImageMap());
        QVERIFY(!adapter->mixesImageMapWithTower());
        const Matrix z = gaussian(7, 24, 62);
        const Matrix phi = adapter->projection().apply(adapter->featureAdapter().apply(z));
        const float diff = maxAbsDiff(adapter->mapImages(z), mixedByHand(phi, psi.apply(z), 0.3));
        QVERIFY2(diff < 1e-6f, qPrintable(QString::number(diff)));
        QCOMPARE(maxAbsDiff(adapter->mapTexts(z), adapter->projection().apply(z)), 0.0f);

        Workspace ws = Workspace::open(path("ws-image-map-mixed"), Workspace::Mode::ReadWrite);
        saveAdapter(ws, *adapter);
        const auto loaded = loadAdapter(ws, "mixed");
        QCOMPARE(loaded->info().imageMapShare, 0.3);
        QCOMPARE(maxAbsDiff(loaded->mapImages(z), adapter->mapImages(z)), 0.0f);
        QCOMPARE(loaded->weightsFingerprint(), adapter->weightsFingerprint());
        auto otherShare = fullAdapter("mixed", 60);
        otherShare->mutableInfo().imageMapShare = 0.6;
        otherShare->setImageMap(psi);
        QVERIFY(otherShare->weightsFingerprint() != adapter->weightsFingerprint());

        const ExportResult r = exportAdapter(*adapter, path("export-image-map-mixed"));
        torch::jit::Module module = torch::jit::load(r.torchscriptPath);
        QVERIFY(maxAbsDiff(callMethod(module, "forward_image", z), adapter->mapImages(z)) < 1e-5f);
        const nlohmann::json meta = nlohmann::json::parse(readFileBytes(r.metadataPath));
        VERIFY_CONTAINS(QString::fromStdString(meta["methods"]["forward_image"].get<std::string>()), "0.3 psi");

        auto newModel = std::make_shared<VectorModel>("new-double", 'b', 24);
        const std::unique_ptr<EmbeddingModel> adapted = makeAdaptedModel(newModel, adapter, {});
        const std::vector<PixelTensor> images{constantImage(8, 0.2f), constantImage(8, 0.7f)};
        QCOMPARE(maxAbsDiff(adapted->encodeImages(images), adapter->mapImages(newModel->encodeImages(images))), 0.0f);

        nlohmann::json j = adapter->info().toJson();
        for (double bad : {0.0, 1.5}) {
            j["image_map_share"] = bad;
            VERIFY_CONTAINS(errorOf([&] { AdapterInfo::fromJson(j, "adapter.json"); }), "'image_map_share'");
        }
        j.erase("image_map_share");  // written before shares existed: the map alone
        QCOMPARE(AdapterInfo::fromJson(j, "adapter.json").imageMapShare, 1.0);
    }

    // Each unlabelled image is captioned by the corpus sentences with the
    // highest new-model score, best first; bad requests say what is wrong.
    void pseudoCaptionsAreTheNewModelsBestSentences()
    {
        Matrix images(3, 2);
        images.data = {1.0f, 0.0f, 0.0f, 1.0f, 0.6f, 0.8f};
        Matrix sentences(4, 2);
        sentences.data = {0.8f, 0.6f, 0.0f, 1.0f, 1.0f, 0.0f, -1.0f, 0.0f};
        const PseudoCaptions two = pickPseudoCaptions(images, sentences, 2, torch::kCPU);
        // image 0 scores 0.8, 0, 1, -1; image 1: 0.6, 1, 0, 0; image 2: 0.96, 0.8, 0.6, -0.6.
        QCOMPARE(two.sentence, (std::vector<int64_t>{2, 0, 1, 0, 0, 1}));
        QCOMPARE(two.image, (std::vector<int64_t>{0, 0, 1, 1, 2, 2}));
        const PseudoCaptions one = pickPseudoCaptions(images, sentences, 1, torch::kCPU);
        QCOMPARE(one.sentence, (std::vector<int64_t>{2, 1, 0}));
        QCOMPARE(one.image, (std::vector<int64_t>{0, 1, 2}));

        VERIFY_CONTAINS(errorOf([&] { pickPseudoCaptions(images, sentences, 0, torch::kCPU); }), "unlabeled_captions");
        VERIFY_CONTAINS(errorOf([&] { pickPseudoCaptions(images, sentences, 5, torch::kCPU); }), "corpus has 4");
        VERIFY_CONTAINS(errorOf([&] { pickPseudoCaptions(images, Matrix(4, 3), 1, torch::kCPU); }),
                        "2 dimensions and the corpus sentences 3");
    }

    void phiWithZeroResidualIsTheNormalisedLinearMap()
    {
        ProjectionWeights p = randomProjection(24, 16, 8, 11);
        std::fill(p.outWeight.data.begin(), p.outWeight.data.end(), 0.0f);
        std::fill(p.outBias.begin(), p.outBias.end(), 0.0f);
        const Matrix z = gaussian(10, 24, 12);
        Matrix expected = timesTransposed(z, p.linear);
        normalizeRows(expected);
        QVERIFY(maxAbsDiff(p.apply(z), expected) < 1e-5f);
        ProjectionWeights linearOnly;
        linearOnly.linear = p.linear;
        QVERIFY(maxAbsDiff(linearOnly.apply(z), expected) < 1e-5f);
        // Every row is unit length.
        const Matrix full = randomProjection(24, 16, 8, 13).apply(z);
        for (int64_t i = 0; i < full.rows; ++i) {
            double s = 0;
            for (int64_t j = 0; j < full.cols; ++j)
                s += static_cast<double>(full.at(i, j)) * full.at(i, j);
            QVERIFY(std::abs(s - 1.0) < 1e-5);
        }
    }

    void shapesAreChecked()
    {
        ProjectionWeights p = randomProjection(24, 16, 8, 14);
        p.outBias.pop_back();
        VERIFY_CONTAINS(errorOf([&] { CompatibilityAdapter(makeInfo("x", ref("o", 'a', 16), ref("n", 'b', 24)), p); }),
                        "b2");
        VERIFY_CONTAINS(errorOf([&] {
                            CompatibilityAdapter(makeInfo("x", ref("o", 'a', 16), ref("n", 'b', 32)),
                                                 randomProjection(24, 16, 0, 1));
                        }),
                        "24 -> 16");
        const auto a = fullAdapter("shapes", 15);
        VERIFY_CONTAINS(errorOf([&] { a->mapTexts(gaussian(2, 16, 1)); }), "24-dimensional");
        VERIFY_CONTAINS(errorOf([&] { a->transformGallery(gaussian(2, 16, 1)); }), "query adapter");
    }

    void adapterInfoJsonRoundTripAndErrors()
    {
        const AdapterInfo info = fullAdapter("info", 16)->info();
        const AdapterInfo back = AdapterInfo::fromJson(info.toJson(), "adapter.json");
        QCOMPARE(back.toJson().dump(), info.toJson().dump());
        nlohmann::json broken = info.toJson();
        broken["old_model"].erase("fingerprint");
        VERIFY_CONTAINS(errorOf([&] { AdapterInfo::fromJson(broken, "/ws/adapters/x/adapter.json"); }),
                        "/ws/adapters/x/adapter.json: field 'old_model.fingerprint' is missing");
        broken = info.toJson();
        broken["kind"] = "sideways";
        VERIFY_CONTAINS(errorOf([&] { AdapterInfo::fromJson(broken, "a.json"); }), "field 'kind'");
        broken = info.toJson();
        broken["seed"] = -1;
        VERIFY_CONTAINS(errorOf([&] { AdapterInfo::fromJson(broken, "a.json"); }), "field 'seed' must not be negative");
        QCOMPARE(QString(adapterKindName(AdapterKind::Gallery)), QStringLiteral("gallery"));
    }

    void adaptedModelMapsTheNewModel()
    {
        auto newModel = std::make_shared<VectorModel>("new-double", 'b', 24);
        const auto adapter = fullAdapter("phi", 17);
        const std::unique_ptr<EmbeddingModel> adapted = makeAdaptedModel(newModel, adapter, {});
        const ModelInfo& info = adapted->info();
        QCOMPARE(QString::fromStdString(info.name), QStringLiteral("new-double+phi"));
        QCOMPARE(info.embeddingDim, 16);
        QCOMPARE(info.adapterTarget, std::string(64, 'a'));
        QCOMPARE(info.spaceFingerprint(), std::string(64, 'a'));
        QCOMPARE(QString::fromStdString(info.adapterName), QStringLiteral("phi"));
        QVERIFY(info.fingerprint != newModel->fingerprint() && info.fingerprint.size() == 64);
        // Another adapter on the same model is another model.
        QVERIFY(makeAdaptedModel(newModel, fullAdapter("phi", 18), {})->fingerprint() != info.fingerprint);

        const std::vector<std::string> texts{"a red circle", "two blue squares"};
        QCOMPARE(maxAbsDiff(adapted->encodeTexts(texts), adapter->mapTexts(newModel->encodeTexts(texts))), 0.0f);
        const std::vector<PixelTensor> images{constantImage(8, 0.2f), constantImage(8, 0.7f)};
        QCOMPARE(maxAbsDiff(adapted->encodeImages(images), adapter->mapImages(newModel->encodeImages(images))), 0.0f);
        // The feature adapter acts on images only.
        const Matrix z = newModel->encodeTexts(texts);
        QVERIFY(maxAbsDiff(adapter->mapImages(z), adapter->mapTexts(z)) > 1e-3f);
    }

    // Queries as deployed: a = 0 is exactly today's query (the old model's),
    // a = 1 the bare adapter, and without the old model the adapter alone.
    void adaptedModelInterpolatesWithTheOldQuery()
    {
        auto newModel = std::make_shared<VectorModel>("new-double", 'b', 24);
        auto oldModel = std::make_shared<VectorModel>("old-double", 'a', 16);
        const std::vector<std::string> texts{"a red circle", "two blue squares"};
        const std::vector<PixelTensor> images{constantImage(8, 0.2f), constantImage(8, 0.7f)};
        auto withWeights = [&](double textWeight, double imageWeight) {
            auto adapter = fullAdapter("phi", 17);
            adapter->mutableInfo().interpolation.texts = {InterpolationKind::Spherical, textWeight};
            adapter->mutableInfo().interpolation.images = {InterpolationKind::Linear, imageWeight};
            return std::shared_ptr<const CompatibilityAdapter>(adapter);
        };
        const auto today = withWeights(0.0, 0.0);
        const auto adaptedToday = makeAdaptedModel(newModel, today, {}, oldModel);
        QCOMPARE(maxAbsDiff(adaptedToday->encodeTexts(texts), oldModel->encodeTexts(texts)), 0.0f);
        QCOMPARE(maxAbsDiff(adaptedToday->encodeImages(images), oldModel->encodeImages(images)), 0.0f);
        const auto bare = withWeights(1.0, 1.0);
        QCOMPARE(maxAbsDiff(makeAdaptedModel(newModel, bare, {}, oldModel)->encodeTexts(texts),
                            bare->mapTexts(newModel->encodeTexts(texts))),
                 0.0f);
        // Halfway: between the two, unit length, and another model (fingerprint).
        const auto half = withWeights(0.5, 0.5);
        const auto adaptedHalf = makeAdaptedModel(newModel, half, {}, oldModel);
        const Matrix q = adaptedHalf->encodeTexts(texts);
        const Matrix o = oldModel->encodeTexts(texts);
        const Matrix p = half->mapTexts(newModel->encodeTexts(texts));
        for (int64_t r = 0; r < q.rows; ++r) {
            double norm = 0, withOld = 0, withAdapter = 0, oldAdapter = 0;
            for (int64_t d = 0; d < q.cols; ++d) {
                norm += q.at(r, d) * q.at(r, d);
                withOld += q.at(r, d) * o.at(r, d);
                withAdapter += q.at(r, d) * p.at(r, d);
                oldAdapter += o.at(r, d) * p.at(r, d);
            }
            QVERIFY(std::fabs(norm - 1.0) < 1e-5);
            QVERIFY(std::fabs(withOld - withAdapter) < 1e-5);  // the arc's midpoint
            QVERIFY(withOld > oldAdapter);
        }
        QVERIFY(adaptedHalf->fingerprint() != makeAdaptedModel(newModel, half, {})->fingerprint());
        // Without the old model (items put into a gallery) the adapter alone maps.
        QCOMPARE(maxAbsDiff(makeAdaptedModel(newModel, half, {})->encodeTexts(texts), p), 0.0f);
        // The old model must be the adapter's.
        auto otherOld = std::make_shared<VectorModel>("other-old", 'c', 16);
        VERIFY_CONTAINS(errorOf([&] { makeAdaptedModel(newModel, half, {}, otherOld); }), "old-double");
        // Stored and read back with the adapter.
        const AdapterInfo read = AdapterInfo::fromJson(half->info().toJson(), "a.json");
        QCOMPARE(read.interpolation.texts.weight, 0.5);
        QVERIFY(read.interpolation.texts.kind == InterpolationKind::Spherical);
        QVERIFY(read.interpolation.images.kind == InterpolationKind::Linear);
        // An old model of another input size gets the image at its own size.
        auto smallOld = std::make_shared<VectorModel>("old-double", 'a', 16, 6);
        auto sizedNew = std::make_shared<VectorModel>("new-double", 'b', 24, 8);
        const Matrix mixed = makeAdaptedModel(sizedNew, half, {}, smallOld)->encodeImages(images);
        QCOMPARE(mixed.rows, int64_t(2));
        QVERIFY(maxAbsDiff(mixed, half->mapImages(sizedNew->encodeImages(images))) > 1e-4f);
        nlohmann::json broken = half->info().toJson();
        broken["interpolation"]["images"]["weight"] = 1.5;
        VERIFY_CONTAINS(errorOf([&] { AdapterInfo::fromJson(broken, "a.json"); }), "interpolation.images.weight");
    }

    void mismatchedModelsAreRefused()
    {
        const auto adapter = fullAdapter("mismatch", 19);
        auto otherNew = std::make_shared<VectorModel>("other-new", 'c', 24);
        const QString wrongNew = errorOf([&] { makeAdaptedModel(otherNew, adapter, {}); });
        VERIFY_CONTAINS(wrongNew, "new-double");
        VERIFY_CONTAINS(wrongNew, "other-new");
        VERIFY_CONTAINS(wrongNew, "bbbbbbbbbbbb");
        VERIFY_CONTAINS(wrongNew, "cccccccccccc");
        VERIFY_CONTAINS(wrongNew, "mismatch");

        const VectorModel otherOld("other-old", 'd', 16);
        const VectorModel rightNew("new-double", 'b', 24);
        const QString wrongOld = errorOf([&] { adapter->checkModels(otherOld.info(), rightNew.info()); });
        VERIFY_CONTAINS(wrongOld, "old-double");
        VERIFY_CONTAINS(wrongOld, "other-old");
        VERIFY_CONTAINS(wrongOld, "aaaaaaaaaaaa");
        VERIFY_CONTAINS(wrongOld, "dddddddddddd");
        const VectorModel rightOld("old-double", 'a', 16);
        QVERIFY(errorOf([&] { adapter->checkModels(rightOld.info(), rightNew.info()); }).isEmpty());

        // A gallery transform does not make an adapted query model.
        AdapterInfo fct = makeInfo("fct", ref("old-double", 'a', 16), ref("new-double", 'b', 24));
        fct.kind = AdapterKind::Gallery;
        fct.method = "fct";
        auto gallery = std::make_shared<CompatibilityAdapter>(fct, randomProjection(16, 24, 0, 20));
        VERIFY_CONTAINS(errorOf([&] { makeAdaptedModel(std::make_shared<VectorModel>(rightNew), gallery, {}); }),
                        "gallery transform");
        QCOMPARE(gallery->transformGallery(gaussian(3, 16, 2)).cols, int64_t(24));
    }

    void saveLoadRoundTripGivesIdenticalOutputs()
    {
        Workspace ws = Workspace::open(path("ws-roundtrip"), Workspace::Mode::ReadWrite);
        const auto adapter = fullAdapter("roundtrip", 21);
        saveAdapter(ws, *adapter);
        const auto loaded = loadAdapter(ws, "roundtrip");
        QCOMPARE(loaded->info().toJson().dump(), adapter->info().toJson().dump());
        const Matrix z = gaussian(20, 24, 22);
        QCOMPARE(maxAbsDiff(loaded->mapTexts(z), adapter->mapTexts(z)), 0.0f);
        QCOMPARE(maxAbsDiff(loaded->mapImages(z), adapter->mapImages(z)), 0.0f);
        QCOMPARE(loaded->weightsFingerprint(), adapter->weightsFingerprint());
        // Plain .npy files a Python user can read.
        QVERIFY(fileExists(ws.adapterDir("roundtrip") + "/tensors/projection.linear.npy"));

        const std::vector<AdapterInfo> listed = listAdapters(ws);
        QCOMPARE(listed.size(), size_t(1));
        QCOMPARE(QString::fromStdString(listed[0].name), QStringLiteral("roundtrip"));
        // A renamed adapter answers to its new name.
        ws.renameAdapter("roundtrip", "renamed");
        QCOMPARE(QString::fromStdString(loadAdapter(ws, "renamed")->info().name), QStringLiteral("renamed"));
        VERIFY_CONTAINS(errorOf([&] { loadAdapter(ws, "roundtrip"); }), "adapters: renamed");
        // The folder itself loads too (e.g. an adapter copied from elsewhere).
        QCOMPARE(maxAbsDiff(loadAdapterFolder(ws.adapterDir("renamed"))->mapTexts(z), adapter->mapTexts(z)), 0.0f);
    }

    void damagedAdapterFilesNameTheFile()
    {
        Workspace ws = Workspace::open(path("ws-damaged"), Workspace::Mode::ReadWrite);
        saveAdapter(ws, *fullAdapter("damaged", 23));
        const std::string npy = ws.adapterDir("damaged") + "/tensors/feature.up.npy";
        std::filesystem::remove(npy);
        VERIFY_CONTAINS(errorOf([&] { loadAdapter(ws, "damaged"); }), QString::fromStdString(npy));
        auto nan = fullAdapter("nan", 24);
        ProjectionWeights p = nan->projection();
        p.linear.data[3] = NAN;
        const CompatibilityAdapter diverged(nan->info(), p);
        VERIFY_CONTAINS(errorOf([&] { saveAdapter(ws, diverged); }), "projection.linear");
        QVERIFY(!std::filesystem::exists(ws.adapterDir("nan")));
    }

    void failedSaveKeepsThePreviousAdapter()
    {
        Workspace ws = Workspace::open(path("ws-failed"), Workspace::Mode::ReadWrite);
        const auto first = fullAdapter("keep", 25);
        saveAdapter(ws, *first);
        const auto second = fullAdapter("keep", 26);
        int written = 0;
        const QString error = errorOf([&] {
            saveAdapter(ws, *second, [&](const std::string&) {
                if (++written == 2)
                    throw Error("disk full (simulated)");
            });
        });
        VERIFY_CONTAINS(error, "disk full");
        QCOMPARE(written, 2);
        const Matrix z = gaussian(5, 24, 27);
        const auto loaded = loadAdapter(ws, "keep");
        QCOMPARE(maxAbsDiff(loaded->mapTexts(z), first->mapTexts(z)), 0.0f);
        QCOMPARE(ws.adapters(), std::vector<std::string>{"keep"});
        // Nothing half-written is left behind, and a later save replaces it.
        QVERIFY(!std::filesystem::exists(ws.dir() + "/adapters/.incoming/keep"));
        saveAdapter(ws, *second);
        QCOMPARE(maxAbsDiff(loadAdapter(ws, "keep")->mapTexts(z), second->mapTexts(z)), 0.0f);
        QCOMPARE(ws.adapters(), std::vector<std::string>{"keep"});
    }

    void exportedTorchScriptMatchesTheAdapter()
    {
        const auto adapter = fullAdapter("exported", 28);
        const ExportResult r = exportAdapter(*adapter, path("export"));
        QVERIFY(r.adaptedTowerFolder.empty());
        torch::jit::Module module = torch::jit::load(r.torchscriptPath);
        const Matrix z = gaussian(33, 24, 29);
        const float text = maxAbsDiff(callMethod(module, "forward_text", z), adapter->mapTexts(z));
        const float image = maxAbsDiff(callMethod(module, "forward_image", z), adapter->mapImages(z));
        const float forward = maxAbsDiff(callMethod(module, "forward", z), adapter->mapTexts(z));
        QVERIFY2(text < 1e-5f && image < 1e-5f && forward < 1e-5f,
                 qPrintable(QStringLiteral("%1 %2 %3").arg(text).arg(image).arg(forward)));
        QCOMPARE(QString::fromStdString(module.attr("old_fingerprint").toStringRef()),
                 QString::fromStdString(std::string(64, 'a')));
        const nlohmann::json meta = nlohmann::json::parse(readFileBytes(r.metadataPath));
        QCOMPARE(meta["adapter"]["name"].get<std::string>(), std::string("exported"));
        QVERIFY(meta["image_tower"]["included"].get<bool>());
        QVERIFY(meta["query_interpolation"].is_null());
        // An interpolated adapter's export says exactly how to apply it with the old model.
        auto interpolated = fullAdapter("interpolated", 28);
        interpolated->mutableInfo().interpolation.texts = {InterpolationKind::Spherical, 0.6};
        interpolated->mutableInfo().interpolation.images = {InterpolationKind::Linear, 0.4};
        const ExportResult ri = exportAdapter(*interpolated, path("export"));
        const nlohmann::json mi = nlohmann::json::parse(readFileBytes(ri.metadataPath));
        VERIFY_CONTAINS(QString::fromStdString(mi["query_interpolation"]["texts"].get<std::string>()), "sin(0.6");
        VERIFY_CONTAINS(QString::fromStdString(mi["query_interpolation"]["images"].get<std::string>()),
                        "normalize((1 - 0.4) * o + 0.4 * p)");
        QCOMPARE(mi["query_interpolation"]["old_model"]["name"].get<std::string>(), std::string("old-double"));
        VERIFY_CONTAINS(QString::fromStdString(ri.note), "old model old-double");

        // Without a residual MLP the module has no residual weights at all.
        const CompatibilityAdapter linear(makeInfo("linear", ref("o", 'a', 16), ref("n", 'b', 24)),
                                          randomProjection(24, 16, 0, 30));
        torch::jit::Module plain = torch::jit::load(exportAdapter(linear, path("export")).torchscriptPath);
        QVERIFY(maxAbsDiff(callMethod(plain, "forward_image", z), linear.mapImages(z)) < 1e-5f);

        // A gallery transform exports transform_gallery.
        AdapterInfo fct = makeInfo("fct", ref("o", 'a', 16), ref("n", 'b', 24));
        fct.kind = AdapterKind::Gallery;
        const CompatibilityAdapter gallery(fct, randomProjection(16, 24, 8, 31));
        torch::jit::Module h = torch::jit::load(exportAdapter(gallery, path("export")).torchscriptPath);
        const Matrix x = gaussian(7, 16, 32);
        QVERIFY(maxAbsDiff(callMethod(h, "transform_gallery", x), gallery.transformGallery(x)) < 1e-5f);
    }

    void loraAdapterReloadsTheBuiltinImageTower()
    {
        ModelOptions options;
        options.device = "cpu";
        std::shared_ptr<EmbeddingModel> sampleNew = loadModel("sample-new", options);
        const ModelInfo& newInfo = sampleNew->info();
        const int channels = 16;  // samples/sample-new.json: the first stage's width
        AdapterInfo info = makeInfo("lora", ref("old-double", 'a', 16), {newInfo.name, newInfo.fingerprint, 256});
        info.imageTowerAdaptation = "lora";
        auto adapter = std::make_shared<CompatibilityAdapter>(info, randomProjection(256, 16, 0, 33));
        adapter->setLoraDeltas({{"image.stages.0.weight", gaussian(channels, 27, 34, 0.05f)}},
                               {{"image.stages.0.weight", {channels, 3, 3, 3}}});
        QVERIFY(!adapter->mapsImageEmbeddings());

        const std::unique_ptr<EmbeddingModel> adapted = makeAdaptedModel(sampleNew, adapter, options);
        const int px = newInfo.preprocess.inputResolution;
        const std::vector<PixelTensor> images{constantImage(px, 0.3f), constantImage(px, -0.5f)};
        const Matrix viaLora = adapted->encodeImages(images);
        const Matrix viaPlain = adapter->mapImages(sampleNew->encodeImages(images));
        QVERIFY2(maxAbsDiff(viaLora, viaPlain) > 1e-4f, "the LoRA deltas must change the image embeddings");
        // Texts are untouched by the image tower's deltas.
        const std::vector<std::string> text{"a red circle"};
        QCOMPARE(maxAbsDiff(adapted->encodeTexts(text), adapter->mapTexts(sampleNew->encodeTexts(text))), 0.0f);

        // The deltas survive a save and load.
        Workspace ws = Workspace::open(path("ws-lora"), Workspace::Mode::ReadWrite);
        saveAdapter(ws, *adapter);
        const auto loaded = loadAdapter(ws, "lora");
        QCOMPARE(loaded->loraShapes().at("image.stages.0.weight"), (std::vector<int64_t>{channels, 3, 3, 3}));
        QCOMPARE(maxAbsDiff(makeAdaptedModel(sampleNew, loaded, options)->encodeImages(images), viaLora), 0.0f);

        // Export: the TorchScript file lacks the tower and says so; the
        // adapted model folder beside it gives the tower's embeddings.
        const ExportResult r = exportAdapter(*adapter, path("export-lora"));
        VERIFY_CONTAINS(QString::fromStdString(r.note), "does NOT contain the adapted image tower");
        const nlohmann::json meta = nlohmann::json::parse(readFileBytes(r.metadataPath));
        QVERIFY(!meta["image_tower"]["included"].get<bool>());
        VERIFY_CONTAINS(QString::fromStdString(meta["image_tower"]["note"].get<std::string>()), "does NOT contain");
        QCOMPARE(QString::fromStdString(r.adaptedTowerFolder),
                 QString::fromStdString(path("export-lora/lora-image-tower")));
        const auto tower = BuiltinSampleModel::load(r.adaptedTowerFolder, options);
        QCOMPARE(QString::fromStdString(tower->info().name), QStringLiteral("sample-new+lora"));
        torch::jit::Module module = torch::jit::load(r.torchscriptPath);
        const float diff = maxAbsDiff(callMethod(module, "forward_image", tower->encodeImages(images)), viaLora);
        QVERIFY2(diff < 1e-5f, qPrintable(QString::number(diff)));

        // Mixed with an image map, image queries read the new model's own
        // embedding (psi) beside the adapted tower's (phi): two passes.
        AdapterInfo mixedInfo = info;
        mixedInfo.name = "lora-mixed";
        mixedInfo.imageMapShare = 0.5;
        auto mixed = std::make_shared<CompatibilityAdapter>(mixedInfo, adapter->projection());
        mixed->setLoraDeltas(adapter->loraDeltas(), adapter->loraShapes());
        const ProjectionWeights psi = randomProjection(256, 16, 0, 36);
        mixed->setImageMap(psi);
        QVERIFY(mixed->mixesImageMapWithTower());
        const Matrix plain = sampleNew->encodeImages(images);
        const Matrix towerOut = tower->encodeImages(images);
        VERIFY_CONTAINS(errorOf([&] { mixed->mapImages(towerOut); }), "mapImagesWithTower");
        const Matrix expected = mixedByHand(adapter->mapImages(towerOut), psi.apply(plain), 0.5);
        const float mixDiff = maxAbsDiff(makeAdaptedModel(sampleNew, mixed, options)->encodeImages(images), expected);
        QVERIFY2(mixDiff < 1e-5f, qPrintable(QString::number(mixDiff)));
        const ExportResult mr = exportAdapter(*mixed, path("export-lora-mixed"));
        VERIFY_CONTAINS(QString::fromStdString(mr.note), "forward_image(z, z_new)");
        const nlohmann::json mixedMeta = nlohmann::json::parse(readFileBytes(mr.metadataPath));
        const QString mixedImage = QString::fromStdString(mixedMeta["methods"]["forward_image"].get<std::string>());
        VERIFY_CONTAINS(mixedImage, "forward_image(z, z_new)");
        VERIFY_CONTAINS(mixedImage, "0.5 psi(z_new)), psi = H^T");
        torch::jit::Module mixedModule = torch::jit::load(mr.torchscriptPath);
        QVERIFY(maxAbsDiff(callMethod(mixedModule, "forward_image", towerOut, plain), expected) < 1e-5f);

        // A LoRA adapter needs the built-in model's folder.
        auto notBuiltin = std::make_shared<VectorModel>("sample-new", 'x', 256);
        AdapterInfo other = info;
        other.newModel.fingerprint = std::string(64, 'x');
        auto misplaced = std::make_shared<CompatibilityAdapter>(other, randomProjection(256, 16, 0, 35));
        misplaced->setLoraDeltas(adapter->loraDeltas(), adapter->loraShapes());
        VERIFY_CONTAINS(errorOf([&] { makeAdaptedModel(notBuiltin, misplaced, options); }), "built-in model");
    }
};

QTEST_GUILESS_MAIN(TestAdapterCore)
#include "test_adapter_core.moc"

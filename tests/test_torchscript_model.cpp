// TorchScript CLIP loading: embeddings against Python (identical inputs and the
// full files -> embeddings pipeline), OpenAI-format archives, settings
// precedence, fingerprints, and the errors users meet with the wrong files.
// Fixtures: tests/fixtures/make_clip_fixtures.py.
#include "core/image/ClipImagePreprocessor.h"
#include "core/model/ModelLoader.h"
#include "core/model/TorchRuntime.h"
#include "core/model/TorchScriptClipModel.h"
#include "core/text/MergesLocator.h"
#include "core/text/TextTokenizer.h"
#include "core/util/Error.h"
#include "core/util/NpyFile.h"
#include "tests/TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cmath>
#include <cstring>

using namespace xbt;
using namespace xbt::test;

namespace {

std::string fx(const QString& relative)
{
    return (test::fixtureDir() + "/" + relative).toStdString();
}

std::string sharedMerges()
{
    return (test::sharedDir() + "/clip/bpe_simple_vocab_16e6.txt.gz").toStdString();
}

ModelOptions baseOptions()
{
    ModelOptions o;
    o.merges = sharedMerges();
    o.device = "cpu";
    return o;
}

std::unique_ptr<TorchScriptClipModel> loadArchive(const std::string& path, const ModelOptions& options = baseOptions())
{
    return std::make_unique<TorchScriptClipModel>(path, options);
}

QJsonObject fixtureIndex()
{
    QFile f(QString::fromStdString(fx("ref/index.json")));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

std::vector<PixelTensor> referenceImages()
{
    const NpyArray a = readNpy(fx("ref/images_input.npy"));
    std::vector<PixelTensor> images;
    if (a.dtype != "<f4" || a.shape.size() != 4 || a.shape[1] != 3)
        return images;
    const size_t plane = static_cast<size_t>(a.shape[1] * a.shape[2] * a.shape[3]);
    for (int64_t i = 0; i < a.shape[0]; ++i) {
        PixelTensor p;
        p.height = static_cast<int>(a.shape[2]);
        p.width = static_cast<int>(a.shape[3]);
        p.data.resize(plane);
        std::memcpy(p.data.data(), a.bytes.data() + i * plane * sizeof(float), plane * sizeof(float));
        images.push_back(std::move(p));
    }
    return images;
}

std::vector<int64_t> referenceTokens(int64_t* rows)
{
    const NpyArray a = readNpy(fx("ref/texts_tokens.npy"));
    std::vector<int64_t> ids(static_cast<size_t>(a.elementCount()));
    std::memcpy(ids.data(), a.bytes.data(), ids.size() * sizeof(int64_t));
    *rows = a.shape.empty() ? 0 : a.shape[0];
    return ids;
}

struct Diff {
    double maxAbs = 0;
    double minCos = 1;
};

Diff compare(const Matrix& a, const Matrix& b)
{
    Diff d;
    if (a.rows != b.rows || a.cols != b.cols)
        return {1e9, -1};
    for (int64_t i = 0; i < a.rows; ++i) {
        double dot = 0, na = 0, nb = 0;
        for (int64_t j = 0; j < a.cols; ++j) {
            d.maxAbs = std::max(d.maxAbs, std::abs(double(a.at(i, j)) - b.at(i, j)));
            dot += double(a.at(i, j)) * b.at(i, j);
            na += double(a.at(i, j)) * a.at(i, j);
            nb += double(b.at(i, j)) * b.at(i, j);
        }
        d.minCos = std::min(d.minCos, dot / std::sqrt(na * nb));
    }
    return d;
}

// Runs `load` and returns the xbt::Error message ("" when it did not throw).
}  // namespace

class TestTorchScriptModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void identicalInputsMatchPython()
    {
        auto model = loadArchive(fx("tiny/tiny_clip.pt"));
        QCOMPARE(model->info().embeddingDim, 48);
        const std::vector<PixelTensor> images = referenceImages();
        QVERIFY(!images.empty());
        const Diff img = compare(model->encodeImages(images), readNpyMatrix(fx("ref/images_embed.npy")));
        int64_t rows = 0;
        const std::vector<int64_t> ids = referenceTokens(&rows);
        const Diff txt = compare(model->encodeTokens(ids, rows), readNpyMatrix(fx("ref/texts_embed.npy")));
        qInfo("identical inputs: images max abs %.3g (min cos %.9f), texts max abs %.3g (min cos %.9f)", img.maxAbs,
              img.minCos, txt.maxAbs, txt.minCos);
        QVERIFY(img.maxAbs < 1e-4);
        QVERIFY(txt.maxAbs < 1e-4);
    }

    void batchSizeDoesNotChangeResults()
    {
        ModelOptions o = baseOptions();
        o.batchSize = 3;
        auto model = loadArchive(fx("tiny/tiny_clip.pt"), o);
        const Diff d = compare(model->encodeImages(referenceImages()), readNpyMatrix(fx("ref/images_embed.npy")));
        QVERIFY2(d.maxAbs < 1e-4, qPrintable(QString::number(d.maxAbs)));
        QCOMPARE(model->encodeTexts({}).rows, int64_t(0));
        QCOMPARE(model->encodeImages({}).cols, int64_t(48));
    }

    void fullPipelineMatchesPython()
    {
        auto model = loadArchive(fx("tiny/tiny_clip.pt"));
        const QJsonObject index = fixtureIndex();
        const ClipImagePreprocessor pre(model->info().preprocess);
        std::vector<PixelTensor> images;
        for (const QJsonValue& f : index["image_files"].toArray())
            images.push_back(pre.preprocessFile(f.toString().toStdString()));
        QCOMPARE(images.size(), size_t(10));
        const Diff img = compare(model->encodeImages(images), readNpyMatrix(fx("ref/images_pipeline_embed.npy")));

        std::vector<std::string> texts;
        for (const QJsonValue& t : index["texts"].toArray())
            texts.push_back(t.toString().toStdString());
        int64_t rows = 0;
        const std::vector<int64_t> ids = referenceTokens(&rows);
        QCOMPARE(rows, int64_t(texts.size()));
        const std::vector<int64_t> ours = model->tokenizer().tokenizeBatch(texts, model->info().contextLength);
        for (int64_t r = 0; r < rows; ++r) {
            const auto begin = ids.begin() + r * 77;
            QVERIFY2(std::equal(begin, begin + 77, ours.begin() + r * 77),
                     qPrintable("token row differs for: " + QString::fromStdString(texts[size_t(r)])));
        }
        const Diff txt = compare(model->encodeTexts(texts), readNpyMatrix(fx("ref/texts_embed.npy")));
        qInfo("full pipeline: images max abs %.3g (min cos %.9f), texts max abs %.3g (min cos %.9f)", img.maxAbs,
              img.minCos, txt.maxAbs, txt.minCos);
        // The preprocessor's contract is the reference pixels within 0.02 per
        // element and 1e-3 on average (test_image_preprocess). Measured with
        // this model in Python: one 8-bit level of noise on every element
        // (15x that average) moves embeddings by at most 6e-4, cosine
        // >= 0.999998, while a one-pixel crop shift gives cosine 0.99935 and
        // swapped channels 0.983. The bounds sit between the two.
        QVERIFY(img.maxAbs < 2e-3);
        QVERIFY(img.minCos > 0.99995);
        // Token rows were compared above, so the texts see identical inputs.
        QVERIFY(txt.maxAbs < 1e-4);
    }

    void openAiFormatArchiveRunsInFloat32OnCpu()
    {
        // The fixture script checked that this archive fails raw on the CPU.
        QVERIFY(!fixtureIndex()["mimic_raw_cpu_error"].toString().isEmpty());
        auto model = loadArchive(fx("openai_mimic/ViT-mimic.pt"));
        QCOMPARE(model->info().preprocess.inputResolution, 224);  // 0-dim tensor attributes
        QCOMPARE(model->info().contextLength, 77);
        QCOMPARE(model->info().device, std::string("cpu"));
        const Diff img = compare(model->encodeImages(referenceImages()), readNpyMatrix(fx("ref/mimic_images_embed.npy")));
        int64_t rows = 0;
        const std::vector<int64_t> ids = referenceTokens(&rows);
        const Diff txt = compare(model->encodeTokens(ids, rows), readNpyMatrix(fx("ref/mimic_texts_embed.npy")));
        qInfo("OpenAI-format archive vs float32 reference: images max abs %.3g, texts max abs %.3g", img.maxAbs,
              txt.maxAbs);
        QVERIFY(img.maxAbs < 1e-4);
        QVERIFY(txt.maxAbs < 1e-4);
    }

    void settingsPrecedence()
    {
        const PreprocessSettings clip;
        auto defaults = loadArchive(fx("noattr/model.pt"));
        QCOMPARE(defaults->info().name, std::string("model"));
        QCOMPARE(defaults->info().preprocess.inputResolution, 224);
        QCOMPARE(defaults->info().contextLength, 77);
        QVERIFY(defaults->info().preprocess.mean == clip.mean);
        QVERIFY(defaults->info().preprocess.std == clip.std);

        auto archive = loadArchive(fx("attrs/model.pt"));
        QCOMPARE(archive->info().preprocess.inputResolution, 160);
        QCOMPARE(archive->info().contextLength, 52);

        // tiny_clip.pt says 224 / 77; the sidecar beside it wins.
        auto sidecar = loadArchive(fx("sidecar/tiny.pt"));
        const ModelInfo& s = sidecar->info();
        QCOMPARE(s.name, std::string("tiny-sidecar"));
        QCOMPARE(s.preprocess.inputResolution, 192);
        QCOMPARE(s.contextLength, 64);
        QVERIFY((s.preprocess.mean == std::array<float, 3>{0.5f, 0.5f, 0.5f}));
        QVERIFY((s.preprocess.std == std::array<float, 3>{0.25f, 0.25f, 0.25f}));
        QCOMPARE(sidecar->encodeTexts({"a long enough caption"}).cols, int64_t(48));

        ModelOptions flags = baseOptions();
        flags.name = "from-flags";
        flags.inputResolution = 160;
        flags.contextLength = 32;
        flags.mean = std::array<float, 3>{0.1f, 0.2f, 0.3f};
        flags.std = std::array<float, 3>{0.4f, 0.5f, 0.6f};
        auto flagged = loadArchive(fx("sidecar/tiny.pt"), flags);
        QCOMPARE(flagged->info().name, std::string("from-flags"));
        QCOMPARE(flagged->info().preprocess.inputResolution, 160);
        QCOMPARE(flagged->info().contextLength, 32);
        QVERIFY(flagged->info().preprocess.mean == *flags.mean);
        QVERIFY(flagged->info().preprocess.std == *flags.std);

        // <stem>.json beside the archive wins over the folder's model.json.
        auto stem = loadArchive(fx("stem_sidecar/tiny.pt"));
        QCOMPARE(stem->info().name, std::string("from-stem"));
        QCOMPARE(stem->info().preprocess.inputResolution, 160);
    }

    void fingerprints()
    {
        const std::string a = loadArchive(fx("tiny/tiny_clip.pt"))->fingerprint();
        QCOMPARE(a.size(), size_t(64));
        QCOMPARE(loadArchive(fx("tiny/tiny_clip.pt"))->fingerprint(), a);
        ModelOptions oneThread = baseOptions();
        oneThread.threads = 1;
        QCOMPARE(loadArchive(fx("tiny/tiny_clip.pt"), oneThread)->fingerprint(), a);
        QCOMPARE(loadModel(fx("tiny"), baseOptions())->fingerprint(), a);

        QVERIFY(loadArchive(fx("weights_changed/tiny.pt"))->fingerprint() != a);
        ModelOptions mean = baseOptions();
        mean.mean = std::array<float, 3>{0.5f, 0.5f, 0.5f};
        QVERIFY(loadArchive(fx("tiny/tiny_clip.pt"), mean)->fingerprint() != a);
        ModelOptions context = baseOptions();
        context.contextLength = 64;
        QVERIFY(loadArchive(fx("tiny/tiny_clip.pt"), context)->fingerprint() != a);
    }

    void clearErrors_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QStringList>("mentions");
        QTest::newRow("random bytes") << "not_torchscript/random.pt"
                                      << QStringList{"random.pt", "is not a TorchScript archive", "torch.jit.save"};
        QTest::newRow("state_dict") << "not_torchscript/state_dict.pt"
                                    << QStringList{"state_dict.pt", "not a TorchScript archive", "state_dict"};
        QTest::newRow("folder without archive") << "not_torchscript"
                                                << QStringList{"no TorchScript archive", "random.pt"};
        QTest::newRow("no encode_text") << "no_text/model.pt" << QStringList{"model.pt", "encode_text"};
        QTest::newRow("newer PyTorch") << "newer_pytorch/model.pt"
                                       << QStringList{"newer PyTorch", "scaled_dot_product_attention",
                                                      "docs/models.md", "1.13"};
        QTest::newRow("sidecar wrong type") << "bad_sidecar/tiny.pt"
                                            << QStringList{"model.json", "input_resolution", "\"big\""};
        QTest::newRow("sidecar embedding_dim") << "wrong_dim_sidecar" << QStringList{"embedding_dim", "512", "48"};
        QTest::newRow("sidecar merges missing") << "bad_merges/tiny.pt"
                                                << QStringList{"model.json", "merges", "missing_merges.txt.gz"};
        QTest::newRow("towers disagree") << "mismatch/model.pt" << QStringList{"encode_image", "encode_text", "40"};
        QTest::newRow("two archives") << "two_archives" << QStringList{"a.pt", "b.pt", "several"};
        QTest::newRow("empty folder") << "empty" << QStringList{"empty", "no TorchScript archive"};
    }

    void clearErrors()
    {
        QFETCH(QString, spec);
        QFETCH(QStringList, mentions);
        const QString message = errorOf([&] { loadModel(fx(spec), baseOptions()); });
        QVERIFY2(!message.isEmpty(), "expected an xbt::Error");
        for (const QString& m : mentions)
            QVERIFY2(message.contains(m), qPrintable("'" + m + "' missing from: " + message));
    }

    void specErrors()
    {
        {
            // A built-in name whose weights are missing says how to make them.
            QTemporaryDir emptySamples;
            qputenv("XBT_SAMPLES_DIR", emptySamples.path().toUtf8());
            const QString missing = errorOf([] { loadModel("sample-old", baseOptions()); });
            qunsetenv("XBT_SAMPLES_DIR");
            QVERIFY2(missing.contains("xbt train-base --config samples/sample-old.json"), qPrintable(missing));
        }
        const QString unknown = errorOf([] { loadModel("no-such-model", baseOptions()); });
        QVERIFY(unknown.contains("neither a file, a folder, nor a built-in"));
        QVERIFY(unknown.contains("sample-new"));

        ModelOptions cuda = baseOptions();
        cuda.device = "cuda";
        if (!torchCudaAvailable())
            QVERIFY(errorOf([&] { loadArchive(fx("tiny/tiny_clip.pt"), cuda); }).contains("--device cpu"));

        // The tiny model's positional embedding has room for 224 px at most.
        ModelOptions tooLarge = baseOptions();
        tooLarge.inputResolution = 256;
        const QString probe = errorOf([&] { loadArchive(fx("tiny/tiny_clip.pt"), tooLarge); });
        QVERIFY2(probe.contains("encode_image") && probe.contains("input_resolution 256")
                     && probe.contains("must match"), qPrintable(probe));

        auto model = loadArchive(fx("tiny/tiny_clip.pt"));
        PixelTensor small;
        small.height = small.width = 32;
        small.data.assign(3 * 32 * 32, 0.0f);
        QVERIFY(errorOf([&] { model->encodeImages({small}); }).contains("3x224x224"));
    }

    void missingMergesListsWhereItLooked()
    {
        ModelOptions explicitMissing = baseOptions();
        explicitMissing.merges = fx("nowhere/bpe.txt.gz");
        QVERIFY(errorOf([&] { loadArchive(fx("tiny/tiny_clip.pt"), explicitMissing); }).contains("nowhere/bpe.txt.gz"));

        const QByteArray saved = qgetenv("XBT_CLIP_MERGES");
        qunsetenv("XBT_CLIP_MERGES");
        ModelOptions none = baseOptions();
        none.merges.clear();
        QString installed;
        try {
            installed = QString::fromStdString(locateClipMerges({"", "", fx("tiny")}));
        } catch (const Error&) {
        }
        const QString message = errorOf([&] { loadArchive(fx("tiny/tiny_clip.pt"), none); });
        if (!saved.isEmpty())
            qputenv("XBT_CLIP_MERGES", saved);
        if (!installed.isEmpty())
            QSKIP("a clip/open_clip installation provides the merges file on this machine");
        QVERIFY2(message.contains(QString::fromStdString(fx("tiny"))), qPrintable(message));
        QVERIFY(message.contains("bpe_simple_vocab_16e6"));
    }

    void infoCommand()
    {
        const QString merges = QString::fromStdString(sharedMerges());
        const test::CliResult r = test::runCli(
            {"info", "--model", QString::fromStdString(fx("tiny")), "--json", "--merges", merges, "--device", "cpu"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject j = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(j["embedding_dim"].toInt(), 48);
        QCOMPARE(j["input_resolution"].toInt(), 224);
        QCOMPARE(j["context_length"].toInt(), 77);
        QCOMPARE(j["kind"].toString(), QStringLiteral("torchscript"));
        QCOMPARE(j["tokenizer"].toString(), QStringLiteral("clip-bpe"));
        QCOMPARE(j["mean"].toArray().size(), 3);
        QCOMPARE(j["fingerprint"].toString().toStdString(), loadArchive(fx("tiny/tiny_clip.pt"))->fingerprint());

        const test::CliResult s = test::runCli(
            {"info", "--model", QString::fromStdString(fx("sidecar")), "--json", "--merges", merges,
             "--input-resolution", "160"});
        QVERIFY2(s.exitCode == 0, s.err.constData());
        const QJsonObject k = QJsonDocument::fromJson(s.out).object();
        QCOMPARE(k["input_resolution"].toInt(), 160);
        QCOMPARE(k["context_length"].toInt(), 64);
        QCOMPARE(k["name"].toString(), QStringLiteral("tiny-sidecar"));

        const test::CliResult text = test::runCli({"info", "--model", QString::fromStdString(fx("tiny")), "--merges", merges});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.contains("embedding dim:    48"));
        QVERIFY(text.out.contains("BLAS:"));

        const test::CliResult bad = test::runCli({"info", "--model", QString::fromStdString(fx("no_text"))});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY(bad.err.contains("encode_text"));
    }
};

QTEST_GUILESS_MAIN(TestTorchScriptModel)
#include "test_torchscript_model.moc"

// Compatible training of a new model (BCT, BT^2, OCA, cross-modal; see
// docs/compatibility.md): the influence loss is exactly the old model's own
// cross-modal InfoNCE when the new model equals the old one; orthogonal
// layers stay orthogonal while they learn; a tiny compatible model trains,
// resumes to the same model, declares which model it is compatible with,
// and its compatible view lives in that model's space.
#include "core/data/CaptionedSplit.h"
#include "core/model/CompatibleView.h"
#include "core/model/builtin/BuiltinSampleModel.h"
#include "core/model/builtin/torch/SampleNetworks.h"
#include "core/model/torch/TorchTensors.h"
#include "core/pipeline/UpgradeSession.h"
#include "core/sample/SampleWorldGenerator.h"
#include "core/sample/SampleVocabulary.h"
#include "core/train/BaseModelTrainer.h"
#include "core/train/CompatibilityTargets.h"
#include "core/train/SampleWorldData.h"
#include "core/train/torch/CompatibilityLoss.h"
#include "core/util/Error.h"

#include "TestSupport.h"
#include "TinySampleRecipe.h"

#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <cmath>
#include <filesystem>

using namespace xbt;

namespace {

SampleModelConfig tinyConfig(int dims) { return test::tinySampleRecipe(dims, 2); }

torch::Tensor unitRows(int64_t rows, int64_t cols, uint64_t seed)
{
    auto g = at::detail::createCPUGenerator(seed);
    auto t = at::normal(0.0, 1.0, {rows, cols}, g, torch::TensorOptions().dtype(torch::kFloat));
    return torch::nn::functional::normalize(t, torch::nn::functional::NormalizeFuncOptions().dim(1));
}

// CLIP's loss written out here, independently of the code under test.
double clipLoss(const torch::Tensor& texts, const torch::Tensor& images, double scale)
{
    const auto logits = (scale * texts.mm(images.t())).to(torch::kDouble);
    const int64_t n = logits.size(0);
    double rows = 0, columns = 0;
    const auto rowLog = torch::log_softmax(logits, 1), columnLog = torch::log_softmax(logits, 0);
    for (int64_t i = 0; i < n; ++i) {
        rows -= rowLog[i][i].item<double>();
        columns -= columnLog[i][i].item<double>();
    }
    return 0.5 * (rows + columns) / static_cast<double>(n);
}

double maxOrthogonalityError(const torch::Tensor& w)
{
    const auto d = w.to(torch::kDouble);
    return (d.t().mm(d) - torch::eye(d.size(0), torch::TensorOptions().dtype(torch::kDouble))).abs().max().item<double>();
}

ModelOptions cpu()
{
    ModelOptions o;
    o.device = "cpu";
    return o;
}

}  // namespace

class TestCompatibleTraining : public QObject {
    Q_OBJECT
private:
    QTemporaryDir models_;
    std::string oldDir_, referenceDir_;
    CaptionedImageSet train_, val_;

    SampleModelConfig compatibleConfig(const std::string& method)
    {
        SampleModelConfig c = tinyConfig(method == "bct" ? 16 : 24);
        c.name = "tiny-" + method;
        c.compatibility.method = method;
        c.compatibility.oldModel = oldDir_;
        if (method != "bct") {
            c.compatibility.referenceModel = referenceDir_;
            c.compatibility.extraDims = 8;
        }
        return c;
    }

    void trainCompatible(SampleModelConfig c, const std::string& out, const CancelToken& cancel = {},
                         const TrainProgressCallback& progress = {})
    {
        CompatibilityTargets targets = makeCompatibilityTargets(c, cpu());
        BaseModelTrainer trainer(c, sampleVocabulary(), out, "cpu");
        trainer.setCompatibilityTargets(std::move(targets));
        trainer.run(train_, val_, progress, cancel);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(models_.isValid());
        const SampleModelConfig old = tinyConfig(16);
        const PreprocessSettings pre = samplePreprocessSettings(old);
        train_ = renderSampleWorldSet(1, "train-base", old.data.trainCount, pre);
        val_ = renderSampleWorldSet(1, "val", old.data.valCount, pre);
        oldDir_ = models_.filePath("old").toStdString();
        referenceDir_ = models_.filePath("reference").toStdString();
        BaseModelTrainer(old, sampleVocabulary(), oldDir_, "cpu").run(train_, val_);
        SampleModelConfig reference = tinyConfig(24);
        reference.training.seed = 5;
        BaseModelTrainer(reference, sampleVocabulary(), referenceDir_, "cpu").run(train_, val_);
    }

    // When the new model's embeddings are the old model's own, the
    // cross-modal influence loss is the old model's CLIP loss on the batch.
    void influenceIsTheOldModelsOwnCrossModalInfoNce()
    {
        const int64_t n = 12, d = 16;
        // The old model's pairs match (a caption near its image), as a trained model's do.
        const torch::Tensor images = unitRows(n, d, 1);
        const torch::Tensor texts = torch::nn::functional::normalize(
            images + 0.3 * unitRows(n, d, 2), torch::nn::functional::NormalizeFuncOptions().dim(1));
        CompatibilityTargets targets;
        targets.oldImages = toMatrix(images);
        targets.oldTexts = toMatrix(texts);
        SampleCompatibilityConfig config;
        config.method = "bct";
        CompatibilityLoss loss(config, d, targets, torch::kCPU);
        const torch::Tensor all = torch::arange(n, torch::TensorOptions().dtype(torch::kLong));
        const double scale = std::exp(loss->logitScale.item<double>());
        torch::NoGradGuard noGrad;
        const double influence = loss->forward(images, texts, all, all).item<double>();
        const double expected = clipLoss(texts, images, scale);
        qInfo("influence %.6f, the old model's own loss %.6f", influence, expected);
        QVERIFY(std::abs(influence - expected) < 1e-5 * std::max(1.0, expected));
        // Any other new model is farther from the old one's pairs.
        const double other = loss->forward(unitRows(n, d, 3), unitRows(n, d, 4), all, all).item<double>();
        QVERIFY(other > influence);
    }

    // BT^2's basis and OCA's training-only layer: orthogonal by
    // construction, before and after learning (||W^T W - I|| < 1e-5).
    void orthogonalLayersStayOrthogonal()
    {
        OrthogonalLinear layer(32, 7);
        QVERIFY(maxOrthogonalityError(layer->weight().detach()) < 1e-5);
        torch::optim::Adam optimizer(layer->parameters(), torch::optim::AdamOptions(0.05));
        const torch::Tensor x = unitRows(64, 32, 8), target = unitRows(64, 32, 9);
        double first = 0, last = 0;
        for (int step = 0; step < 50; ++step) {
            optimizer.zero_grad();
            const auto loss = (1.0 - (layer->forward(x) * target).sum(1)).mean();
            loss.backward();
            optimizer.step();
            (step == 0 ? first : last) = loss.item<double>();
        }
        QVERIFY2(last < first, "the layer must learn");
        QVERIFY(layer->skew.abs().max().item<double>() > 0.01);  // it moved
        const double error = maxOrthogonalityError(layer->weight().detach());
        qInfo("after 50 steps: max |W^T W - I| = %.2e", error);
        QVERIFY(error < 1e-5);
    }

    // Each method trains; the model declares the old model it is compatible
    // with and how; its compatible view embeds in that model's space.
    void compatibleModelsTrainAndDeclareTheirOldModel_data()
    {
        QTest::addColumn<QString>("method");
        QTest::newRow("bct") << "bct";
        QTest::newRow("bt2") << "bt2";
        QTest::newRow("oca") << "oca";
    }

    void compatibleModelsTrainAndDeclareTheirOldModel()
    {
        QFETCH(QString, method);
        const std::string m = method.toStdString();
        QTemporaryDir dir;
        trainCompatible(compatibleConfig(m), dir.path().toStdString());
        const auto old = BuiltinSampleModel::load(oldDir_, cpu());
        std::shared_ptr<EmbeddingModel> model = BuiltinSampleModel::load(dir.path().toStdString(), cpu());
        const CompatibleWith& c = model->info().compatibleWith;
        QCOMPARE(c.fingerprint, old->fingerprint());
        QCOMPARE(c.dims, 16);
        QCOMPARE(c.firstDims, m != "bct");
        QCOMPARE(model->embeddingDim(), m == "bct" ? 16 : 24);
        QVERIFY(isCompatibleWith(model->info(), old->fingerprint()));
        QVERIFY(!isCompatibleWith(old->info(), model->fingerprint()));

        const std::unique_ptr<EmbeddingModel> view = makeCompatibleView(model);
        QCOMPARE(view->embeddingDim(), 16);
        QCOMPARE(view->info().spaceFingerprint(), old->fingerprint());
        const std::vector<std::string> texts = {"a small red circle", "two blue squares"};
        const Matrix whole = model->encodeTexts(texts), part = view->encodeTexts(texts);
        for (int64_t i = 0; i < part.rows; ++i) {
            double norm = 0, partNorm = 0;
            for (int64_t j = 0; j < 16; ++j)
                norm += double(whole.at(i, j)) * whole.at(i, j);
            for (int64_t j = 0; j < 16; ++j) {
                partNorm += double(part.at(i, j)) * part.at(i, j);
                QVERIFY(std::abs(part.at(i, j) - whole.at(i, j) / std::sqrt(norm)) < 1e-5);
            }
            QVERIFY(std::abs(partNorm - 1.0) < 1e-4);
        }
    }

    // Interrupted and resumed (compatibility state included), the model is
    // the uninterrupted one: same machine, so bit-exact.
    void interruptedCompatibleRunResumesToTheSameModel()
    {
        QTemporaryDir whole, split;
        trainCompatible(compatibleConfig("oca"), whole.path().toStdString());
        CancelToken cancel;
        QVERIFY_THROWS_EXCEPTION(Cancelled, trainCompatible(compatibleConfig("oca"), split.path().toStdString(), cancel,
                                                            [&](const TrainProgress& p) {
                                                                if (p.step == 5)
                                                                    cancel.cancel();
                                                            }));
        QVERIFY(std::filesystem::exists(BaseModelTrainer::checkpointDirectory(split.path().toStdString())));
        trainCompatible(compatibleConfig("oca"), split.path().toStdString());
        QCOMPARE(BuiltinSampleModel::load(split.path().toStdString(), cpu())->fingerprint(),
                 BuiltinSampleModel::load(whole.path().toStdString(), cpu())->fingerprint());
    }

    // The model lock lets a compatible model search the old model's gallery
    // (labelled as such) and add new images to it; an unrelated model of the
    // same size is still refused.
    void compatibleModelSearchesAndGrowsTheOldGallery()
    {
        QTemporaryDir work;
        const std::filesystem::path images = work.filePath("images").toStdString();
        SampleWorldOptions world;
        world.outDir = images.string();
        world.split = SampleSplit::Test;
        world.count = 16;
        world.seed = 4;
        generateSampleWorld(world);
        const CaptionedSplit split = loadCaptionedSplit(images.string());
        // The last 4 images arrive after the upgrade.
        const std::filesystem::path later = work.filePath("later").toStdString();
        std::filesystem::create_directories(later);
        for (size_t i = 12; i < 16; ++i)
            std::filesystem::rename(images / split.images[i], later / split.images[i]);
        const std::string compatible = work.filePath("oca").toStdString();
        trainCompatible(compatibleConfig("oca"), compatible);

        UpgradeSession session(work.filePath("ws").toStdString(), cpu(), UpgradeSession::Open::CreateIfMissing);
        IndexRequest index;
        index.run.root = images.string();
        index.run.gallery = "old";
        index.modelSpec = oldDir_;
        QCOMPARE(session.index(index).added, int64_t(12));

        SearchRequest search;
        search.gallery = "old";
        search.text = "a small red circle";
        search.modelSpec = compatible;
        search.options.k = 5;
        const SearchResults r = session.search(search);
        QCOMPARE(r.hits.size(), size_t(5));
        QVERIFY(!r.incompatibleComparison);
        QVERIFY2(QString::fromStdString(r.compatibleQuery).contains("trained compatible with"), r.compatibleQuery.c_str());

        // New images go into the old gallery through the compatible view;
        // the old model's items stay as they are.
        for (size_t i = 12; i < 16; ++i)
            std::filesystem::rename(later / split.images[i], images / split.images[i]);
        index.modelSpec = compatible;
        const IndexRunSummary grown = session.index(index);
        QCOMPARE(grown.added, int64_t(4));
        QCOMPARE(grown.unchanged, int64_t(12));
        search.options.k = 16;
        QCOMPARE(session.search(search).hits.size(), size_t(16));

        // The unrelated reference model (24-d, not compatible) is refused by the lock.
        search.modelSpec = referenceDir_;
        try {
            session.search(search);
            QFAIL("a model not compatible with the gallery's must be refused");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("cannot be compared"), e.what());
        }
    }

    // A model of the wrong size for its method is refused, naming the fix.
    void wrongSizeIsRefused()
    {
        SampleModelConfig c = compatibleConfig("bct");
        c.embeddingDim = 24;
        try {
            makeCompatibilityTargets(c, cpu());
            QFAIL("a 24-d bct model against a 16-d old model must be refused");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("needs 16"), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestCompatibleTraining)
#include "test_compatible_training.moc"

// The batched embedding pipeline: order, failures, progress and cancel, with a
// model double so that the pipeline itself is what is tested.
#include "core/embed/BatchEmbedder.h"
#include "core/text/TextTokenizer.h"
#include "core/util/Error.h"
#include "tests/TestDoubles.h"

#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <set>
#include <thread>

using namespace xbt;
using namespace xbt::test;

namespace {

// Embeds an image as its mean value per channel (so rows identify images),
// and records which thread ran the model.
class ChannelMeanModel : public EmbeddingModel {
public:
    ChannelMeanModel()
    {
        info_.name = "channel-mean";
        info_.embeddingDim = 3;
        info_.preprocess.inputResolution = 32;
        info_.preprocess.mean = {0, 0, 0};
        info_.preprocess.std = {1, 1, 1};
    }
    const ModelInfo& info() const override { return info_; }
    Matrix encodeImages(const std::vector<PixelTensor>& images) override
    {
        modelThreads.insert(std::this_thread::get_id());
        maxBatch = std::max(maxBatch, images.size());
        Matrix m(static_cast<int64_t>(images.size()), 3);
        for (size_t i = 0; i < images.size(); ++i) {
            const std::array<float, 3> means = channelMeans(images[i]);
            for (int c = 0; c < 3; ++c)
                m.at(static_cast<int64_t>(i), c) = means[static_cast<size_t>(c)] / divisor;
        }
        return m;
    }
    Matrix encodeTexts(const std::vector<std::string>& texts) override
    {
        Matrix m(static_cast<int64_t>(texts.size()), 3);
        for (size_t i = 0; i < texts.size(); ++i)
            m.at(static_cast<int64_t>(i), 0) = static_cast<float>(texts[i].size()) / divisor;
        return m;
    }
    const TextTokenizer& tokenizer() const override { return tokenizer_; }

    std::set<std::thread::id> modelThreads;
    size_t maxBatch = 0;
    // 0 turns every embedding into infinity or NaN, as a zero std would.
    float divisor = 1.0f;

private:
    ModelInfo info_;
    LengthTokenizer tokenizer_;
};

}  // namespace

class TestBatchEmbedder : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    std::vector<ImageInput> inputs_;
    // Grey level of image i, so that embeddings can be matched to inputs.
    static int level(size_t i) { return static_cast<int>(10 + 7 * i); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        for (size_t i = 0; i < 23; ++i) {
            const QString name = QStringLiteral("img%1.png").arg(i, 2, 10, QLatin1Char('0'));
            if (i == 5 || i == 17) {  // not images at all
                QFile f(dir_.filePath(name));
                QVERIFY(f.open(QIODevice::WriteOnly));
                f.write("this is not a png");
            } else {
                QImage img(48, 40, QImage::Format_RGB888);
                img.fill(QColor(level(i), level(i), level(i)));
                QVERIFY(img.save(dir_.filePath(name)));
            }
            inputs_.push_back({dir_.filePath(name).toStdString(), name.toStdString()});
        }
    }

    void keepsInputOrderAndReportsFailures()
    {
        ChannelMeanModel model;
        BatchEmbedder embedder(model, {4, 3});
        std::vector<int64_t> seen;
        const ImageEmbedResult r = embedder.embedImages(inputs_, [&](const Progress& p) { seen.push_back(p.done); });
        QCOMPARE(r.embeddings.rows, int64_t(21));
        QCOMPARE(r.failures.size(), size_t(2));
        QCOMPARE(QString::fromStdString(r.failures[0].label), QStringLiteral("img05.png"));
        QCOMPARE(QString::fromStdString(r.failures[1].label), QStringLiteral("img17.png"));
        QVERIFY(!r.failures[0].reason.empty());
        for (int64_t row = 0; row < r.embeddings.rows; ++row) {
            const size_t input = r.succeeded[static_cast<size_t>(row)];
            QVERIFY(input != 5 && input != 17);
            QVERIFY(std::abs(r.embeddings.at(row, 0) - level(input) / 255.0f) < 1e-5f);
        }
        QVERIFY(model.maxBatch <= 4);
        QCOMPARE(seen.back(), int64_t(23));
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        QCOMPARE(model.modelThreads.size(), size_t(1));  // inference stays on the calling thread
    }

    void cancelStopsTheRun()
    {
        ChannelMeanModel model;
        BatchEmbedder embedder(model, {2, 2});
        CancelToken cancel;
        int calls = 0;
        QVERIFY_THROWS_EXCEPTION(Cancelled, embedder.embedImages(inputs_, [&](const Progress&) {
            if (++calls == 2)
                cancel.cancel();
        }, cancel));
        QCOMPARE(calls, 2);
    }

    // A broken model's NaN or infinite rows are never returned: each such
    // image fails with the likely cause; a text batch stops.
    void nonFiniteEmbeddingsAreRefused()
    {
        ChannelMeanModel model;
        model.divisor = 0.0f;
        BatchEmbedder embedder(model, {4, 2});
        const ImageEmbedResult r = embedder.embedImages(inputs_);
        QCOMPARE(r.embeddings.rows, int64_t(0));
        QCOMPARE(r.failures.size(), inputs_.size());
        QVERIFY2(r.failures[0].reason.find("NaN or infinite") != std::string::npos, r.failures[0].reason.c_str());
        QVERIFY_THROWS_EXCEPTION(Error, embedder.embedTexts({"a", "bb"}));
    }

    void textsInBatches()
    {
        ChannelMeanModel model;
        BatchEmbedder embedder(model, {3, 1});
        const Matrix m = embedder.embedTexts({"a", "bb", "ccc", "dddd"});
        QCOMPARE(m.rows, int64_t(4));
        QCOMPARE(m.at(3, 0), 4.0f);
    }
};

QTEST_GUILESS_MAIN(TestBatchEmbedder)
#include "test_batch_embedder.moc"

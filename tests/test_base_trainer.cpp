// Training a built-in sample model: the loss goes down, an interrupted run
// resumes to exactly the uninterrupted result, and a NaN stops training with
// the last good checkpoint kept.
#include "core/model/builtin/BuiltinSampleModel.h"
#include "core/text/WordTokenizer.h"
#include "core/sample/SampleVocabulary.h"
#include "core/train/BaseModelTrainer.h"
#include "core/train/CaptionNegatives.h"
#include "core/train/SampleWorldData.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include "TestSupport.h"
#include "TinySampleRecipe.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <filesystem>

using namespace xbt;
namespace fs = std::filesystem;

namespace {

SampleModelConfig tinyConfig() { return test::tinySampleRecipe(); }

}  // namespace

class TestBaseTrainer : public QObject {
    Q_OBJECT
private:
    CaptionedImageSet train_, val_;
    SampleModelConfig config_ = tinyConfig();

    std::string fingerprintOf(const QString& dir)
    {
        ModelOptions o;
        o.device = "cpu";
        return BuiltinSampleModel::load(dir.toStdString(), o)->fingerprint();
    }

private Q_SLOTS:
    void initTestCase()
    {
        const PreprocessSettings pre = samplePreprocessSettings(config_);
        train_ = renderSampleWorldSet(1, "train-base", config_.data.trainCount, pre);
        val_ = renderSampleWorldSet(1, "val", config_.data.valCount, pre);
        QCOMPARE(train_.size(), size_t(96));
        QCOMPARE(train_.images.front().height, 32);
    }

    void wordTokenizerMapsUnknownWordsToUnk()
    {
        const WordTokenizer tokenizer(sampleVocabulary());
        const std::vector<int64_t> ids = tokenizer.encode("A small RED circle, zebra \xc3\xa9t\xc3\xa9 !");
        QCOMPARE(ids.size(), size_t(7));  // a small red circle , zebra été  ("!" is not in the vocabulary)
        QVERIFY(ids[0] > WordTokenizer::kEnd && ids[3] > WordTokenizer::kEnd);
        QCOMPARE(ids[4], tokenizer.encode(",")[0]);
        QCOMPARE(ids[5], WordTokenizer::kUnknown);
        QCOMPARE(ids[6], WordTokenizer::kUnknown);
        const std::vector<int64_t> row = tokenizer.tokenizeBatch({"red red red red red red"}, 5);
        QCOMPARE(row, (std::vector<int64_t>{WordTokenizer::kStart, ids[2], ids[2], ids[2], WordTokenizer::kEnd}));
        QVERIFY(tokenizer.encode("").empty());
    }

    void lossGoesDownAndModelLoads()
    {
        QTemporaryDir dir;
        BaseModelTrainer trainer(config_, sampleVocabulary(), dir.path().toStdString(), "cpu");
        std::vector<double> losses;
        const BaseTrainingResult r =
            trainer.run(train_, val_, [&](const TrainProgress& p) { losses.push_back(p.loss); });
        QCOMPARE(r.steps, int64_t(24));
        QCOMPARE(losses.size(), size_t(24));
        const double first = (losses[0] + losses[1] + losses[2]) / 3;
        const double last = (losses[21] + losses[22] + losses[23]) / 3;
        qInfo("loss %.4f -> %.4f, val R@1 T2I %.3f", first, last, r.validationT2I);
        QVERIFY2(last < first - 0.1, "training must lower the loss");
        ModelOptions o;
        o.device = "cpu";
        auto model = BuiltinSampleModel::load(dir.path().toStdString(), o);
        QCOMPARE(model->embeddingDim(), 16);
        QCOMPARE(model->info().preprocess.inputResolution, 32);
        const Matrix t = model->encodeTexts({"a small red circle", "zebra quantum flux"});  // unknown words
        QCOMPARE(t.rows, int64_t(2));
        double norm = 0;
        for (int64_t j = 0; j < t.cols; ++j)
            norm += t.at(0, j) * t.at(0, j);
        QVERIFY(std::abs(norm - 1.0) < 1e-4);
    }

    // The transformer options (CLIP's pre-norm block, mean pooling, causal
    // mask) train and reload; leaving them at their defaults keeps the
    // shipped sample-new's recipe byte-identical, so its fingerprint (and
    // every adapter and cache keyed by it) survives the options' arrival.
    void textTowerOptionsTrainReloadAndKeepOldRecipesIdentical()
    {
        const std::string shipped = test::sourceDir().toStdString() + "/samples/sample-new/sample-model.json";
        const std::string text = readFileBytes(shipped);
        QCOMPARE(SampleModelConfig::fromJsonText(text, shipped).toJsonText(), text);
        QVERIFY(text.find("pooling") == std::string::npos);

        SampleModelConfig c = config_;
        c.text.block = "pre-norm";
        c.text.pooling = "mean";
        c.text.causal = true;
        c.training.textNegatives = true;
        c.training.epochs = 1;
        QTemporaryDir dir;
        BaseModelTrainer(c, sampleVocabulary(), dir.path().toStdString(), "cpu").run(train_, val_);
        const SampleModelConfig reread = SampleModelConfig::fromJsonText(
            readFileBytes(dir.path().toStdString() + "/sample-model.json"), "sample-model.json");
        QCOMPARE(reread.text.block, std::string("pre-norm"));
        QCOMPARE(reread.text.pooling, std::string("mean"));
        QVERIFY(reread.text.causal);
        QVERIFY(reread.training.textNegatives);
        ModelOptions o;
        o.device = "cpu";
        auto model = BuiltinSampleModel::load(dir.path().toStdString(), o);
        const Matrix t = model->encodeTexts({"a red circle left of a blue star", "a blue star left of a red circle"});
        double cosine = 0;
        for (int64_t j = 0; j < t.cols; ++j)
            cosine += t.at(0, j) * t.at(1, j);
        QVERIFY2(cosine < 0.99999, "a causal tower sees word order even untrained");

        c.text.pooling = "max";
        try {
            SampleModelConfig::fromJsonText(c.toJsonText(), "recipe.json");
            QFAIL("an unknown pooling must be refused");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("recipe.json: text.pooling") != std::string::npos, e.what());
        }
    }

    // The recurrent text tower trains, reloads, and reads order from the
    // start: a caption and its words shuffled embed apart.
    void gruTextTowerTrainsAndReadsOrder()
    {
        SampleModelConfig c = config_;
        c.text.tower = "gru";
        c.training.epochs = 1;
        QTemporaryDir dir;
        BaseModelTrainer(c, sampleVocabulary(), dir.path().toStdString(), "cpu").run(train_, val_);
        ModelOptions o;
        o.device = "cpu";
        auto model = BuiltinSampleModel::load(dir.path().toStdString(), o);
        const Matrix t = model->encodeTexts(
            {"a red circle and a blue square", "square blue a and circle red a", "a red circle and a blue square"});
        double shuffled = 0, same = 0;
        for (int64_t j = 0; j < t.cols; ++j) {
            shuffled += t.at(0, j) * t.at(1, j);
            same += t.at(0, j) * t.at(2, j);
        }
        qInfo("gru tower: shuffled-caption cosine %.5f", shuffled);
        QVERIFY(std::abs(same - 1.0) < 1e-4);
        QVERIFY2(shuffled < 0.999, "the GRU tower must see word order");
    }

    // Every recipe the project ships parses (a key the reader does not know
    // is refused, so this also catches typos in them), and an unknown key is
    // an error naming the file and the key rather than a silently different
    // model: an older program reading a newer model folder must not load
    // its weights into a network missing a part.
    void everyShippedRecipeParsesAndUnknownKeysAreRefused()
    {
        const fs::path samples = fs::path(test::sourceDir().toStdString()) / "samples";
        int recipes = 0;
        for (const fs::path& dir : {samples, samples / "experiments", samples / "sample-old", samples / "sample-new"})
            for (const auto& entry : fs::directory_iterator(dir))
                if (entry.path().extension() == ".json") {
                    SampleModelConfig::fromFile(entry.path().string());
                    ++recipes;
                }
        QVERIFY(recipes >= 7);
        std::string text = readFileBytes((samples / "sample-new.json").string());
        text.replace(text.find("\"word_mean_path\""), 16, "\"word_mean_pth\"");
        try {
            SampleModelConfig::fromJsonText(text, "recipe.json");
            QFAIL("an unknown key must be refused");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("recipe.json: text.word_mean_pth: unknown setting") != std::string::npos,
                     e.what());
        }
    }

    // The word-mean path (shipped sample-new): the option survives the
    // model folder, the path's weights reload, and a bag-of-words tower
    // (which is nothing but that path) refuses it, naming the field.
    void wordMeanPathTrainsReloadsAndIsRefusedWhereMeaningless()
    {
        SampleModelConfig c = config_;
        c.text.tower = "gru";
        c.text.wordMeanPath = true;
        c.training.epochs = 1;
        QTemporaryDir dir;
        BaseModelTrainer(c, sampleVocabulary(), dir.path().toStdString(), "cpu").run(train_, val_);
        const SampleModelConfig reread = SampleModelConfig::fromJsonText(
            readFileBytes(dir.path().toStdString() + "/sample-model.json"), "sample-model.json");
        QVERIFY(reread.text.wordMeanPath);
        ModelOptions o;
        o.device = "cpu";
        auto first = BuiltinSampleModel::load(dir.path().toStdString(), o);
        auto second = BuiltinSampleModel::load(dir.path().toStdString(), o);
        const std::vector<std::string> texts{"a red circle and a blue square", "a blue circle and a red square"};
        const Matrix a = first->encodeTexts(texts);
        const Matrix b = second->encodeTexts(texts);
        double cosine = 0;
        for (int64_t j = 0; j < a.cols; ++j) {
            QCOMPARE(a.at(0, j), b.at(0, j));
            cosine += a.at(0, j) * a.at(1, j);
        }
        QVERIFY2(cosine < 0.9999, "with the word-mean path the GRU still separates a binding twin");

        c.text.tower = "bag-of-words";
        try {
            SampleModelConfig::fromJsonText(c.toJsonText(), "recipe.json");
            QFAIL("word_mean_path on a bag-of-words tower must be refused");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find("recipe.json: text.word_mean_path") != std::string::npos, e.what());
        }
    }

    // A word-order negative uses the caption's own words and describes
    // another scene; a caption that allows no swap has none.
    void wordOrderNegativesRearrangeTheCaptionsOwnWords()
    {
        const auto sorted = [](std::string s) {
            std::vector<std::string> w = WordTokenizer::splitWords(s);
            std::sort(w.begin(), w.end());
            return w;
        };
        const std::string binding = "a red circle together with a blue star";
        for (uint64_t seed = 0; seed < 8; ++seed) {
            const std::optional<std::string> n = wordOrderNegative(binding, seed);
            QVERIFY(n.has_value());
            QVERIFY(*n != binding);
            QCOMPARE(sorted(*n), sorted(binding));  // the same bag of words
        }
        QVERIFY(wordOrderNegative("a small red circle to the left of a big blue star", 0).has_value());
        const std::optional<std::string> turned = wordOrderNegative("a red circle, small, in the top left corner", 3);
        QCOMPARE(turned.value_or(""), std::string("a red circle, small, in the bottom right corner"));
        QVERIFY(!wordOrderNegative("a red circle", 0).has_value());
        QVERIFY(!wordOrderNegative("", 0).has_value());
    }

    void interruptedRunResumesToTheSameModel()
    {
        QTemporaryDir whole, split;
        BaseModelTrainer(config_, sampleVocabulary(), whole.path().toStdString(), "cpu").run(train_, val_);

        CancelToken cancel;
        BaseModelTrainer first(config_, sampleVocabulary(), split.path().toStdString(), "cpu");
        QVERIFY_THROWS_EXCEPTION(Cancelled, first.run(train_, val_, [&](const TrainProgress& p) {
            if (p.step == 10)
                cancel.cancel();
        }, cancel));
        QVERIFY(std::filesystem::exists(BaseModelTrainer::checkpointDirectory(split.path().toStdString())));
        BaseModelTrainer second(config_, sampleVocabulary(), split.path().toStdString(), "cpu");
        const BaseTrainingResult r = second.run(train_, val_);
        QCOMPARE(r.resumedFromStep, int64_t(10));
        QCOMPARE(fingerprintOf(split.path()), fingerprintOf(whole.path()));
    }

    void nanStopsAndKeepsTheLastGoodCheckpoint()
    {
        QTemporaryDir dir;
        BaseModelTrainer trainer(config_, sampleVocabulary(), dir.path().toStdString(), "cpu");
        trainer.injectNanAtStep(9);
        try {
            trainer.run(train_, val_);
            QFAIL("expected the NaN guard to stop training");
        } catch (const Error& e) {
            const QString msg = e.what();
            QVERIFY2(msg.contains("not a number") && msg.contains("step 8"), e.what());
        }
        // Resuming without the fault finishes from that checkpoint.
        BaseModelTrainer again(config_, sampleVocabulary(), dir.path().toStdString(), "cpu");
        QCOMPARE(again.run(train_, val_).resumedFromStep, int64_t(8));
    }
};

QTEST_GUILESS_MAIN(TestBaseTrainer)
#include "test_base_trainer.moc"

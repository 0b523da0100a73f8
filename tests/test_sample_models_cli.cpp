// The sample-model workflow through the CLI, as a user runs it: train a
// (tiny) model, inspect it, generate a split, evaluate; and the shipped
// built-in models load under their names.
#include "tests/TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace xbt::test;

namespace {

const char* kTinyRecipe = R"({
  "name": "tiny-sample",
  "embedding_dim": 16,
  "image": {"tower": "cnn-spatial", "resolution": 32, "channels": [8, 16], "blocks_per_stage": 0},
  "text": {"tower": "bag-of-words", "width": 16, "context_length": 40},
  "data": {"train_split": "train-base", "train_count": 64, "val_count": 16, "seed": 1},
  "training": {"epochs": 1, "batch_size": 16, "learning_rate": 0.003, "warmup_steps": 1, "threads": 2}
})";

QJsonObject readJson(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

}  // namespace

class TestSampleModelsCli : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString model_;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        QFile recipe(dir_.filePath("tiny.json"));
        QVERIFY(recipe.open(QIODevice::WriteOnly));
        recipe.write(kTinyRecipe);
        recipe.close();
        model_ = dir_.filePath("tiny-model");
        const CliResult r = runCli({"train-base", "--config", recipe.fileName(), "--out", model_});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("trained tiny-sample: 4 steps"));
    }

    void infoDescribesTheTrainedModel()
    {
        const CliResult r = runCli({"info", "--model", model_, "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject info = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(info["embedding_dim"].toInt(), 16);
        QCOMPARE(info["input_resolution"].toInt(), 32);
        QCOMPARE(info["kind"].toString(), QStringLiteral("builtin"));
        QCOMPARE(info["fingerprint"].toString().size(), 64);
    }

    void evalWritesEveryConfiguration()
    {
        const QString split = dir_.filePath("split");
        QCOMPARE(runCli({"sample", "generate", "--split", "test", "--count", "16", "--out", split}).exitCode, 0);
        const QString out = dir_.filePath("eval");
        const CliResult r = runCli({"eval", "--old", model_, "--new", model_, "--split", split, "--out", out});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("| `old->old` |"));
        const QJsonObject results = readJson(out + "/results.json");
        const QJsonArray configs = results["configurations"].toArray();
        QCOMPARE(configs.size(), 3);
        QCOMPARE(configs[2].toObject()["name"].toString(), QStringLiteral("new->old"));
        // The same model on both sides is a compatible comparison.
        QVERIFY(configs[2].toObject()["comparable"].toBool());
        QVERIFY(!configs[2].toObject()["incompatible_comparison"].toBool());
        const double r10 = configs[0].toObject()["text_to_image"].toObject()["R@10"].toDouble();
        QVERIFY(r10 >= 0.0 && r10 <= 1.0);
        QVERIFY(results["models"].toObject()["old"].toObject()["fingerprint"].toString().size() == 64);
        QVERIFY(QFile::exists(out + "/recall.csv"));
        QVERIFY(QFile::exists(out + "/results.md"));
    }

    void unknownWordsStillEmbed()
    {
        QFile texts(dir_.filePath("texts.txt"));
        QVERIFY(texts.open(QIODevice::WriteOnly));
        texts.write("a small red circle\nquantum zebra \xc3\xa9t\xc3\xa9 !!\n\n");
        texts.close();
        const CliResult r = runCli({"embed", "--model", model_, "--texts", texts.fileName(), "--out",
                                    dir_.filePath("t.npy")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.err.contains("embedded 2 texts"));
    }

    void nanGuardStopsWithExitCode1()
    {
        const CliResult r = runCli({"train-base", "--config", dir_.filePath("tiny.json"), "--out",
                                    dir_.filePath("nan-model"), "--inject-nan-at", "2", "--checkpoint-every", "1"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("not a number") && r.err.contains("step 2"), r.err.constData());
    }

    void shippedModelsLoadByName()
    {
        const CliResult oldInfo = runCli({"info", "--model", "sample-old", "--json"});
        QVERIFY2(oldInfo.exitCode == 0, oldInfo.err.constData());
        const CliResult newInfo = runCli({"info", "--model", "sample-new", "--json"});
        QVERIFY2(newInfo.exitCode == 0, newInfo.err.constData());
        const QJsonObject o = QJsonDocument::fromJson(oldInfo.out).object();
        const QJsonObject n = QJsonDocument::fromJson(newInfo.out).object();
        QCOMPARE(o["embedding_dim"].toInt(), 128);
        QCOMPARE(n["embedding_dim"].toInt(), 256);
        QVERIFY(o["input_resolution"].toInt() < n["input_resolution"].toInt());
        QVERIFY(o["fingerprint"] != n["fingerprint"]);
    }
};

QTEST_GUILESS_MAIN(TestSampleModelsCli)
#include "test_sample_models_cli.moc"

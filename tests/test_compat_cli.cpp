// The upgrade through the CLI, as a user runs it on a tiny sample world with
// the shipped sample models: xbt train (a closed-form adapter) and xbt
// adapters (list, export), xbt eval with the workspace's adapters (every
// configuration, the criterion, the charts and the report, which xbt report
// draws again from results.json alone), the cached embeddings, xbt eval
// --embeddings, xbt index/search through an adapter, and the errors users
// meet.
#include "core/workspace/Workspace.h"
#include "tests/TestSupport.h"

#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

using namespace xbt::test;

namespace {

QJsonObject readJson(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

QString describe(const CliResult& r)
{
    return QString("exit %1\nstdout: %2\nstderr: %3").arg(r.exitCode).arg(QString(r.out)).arg(QString(r.err));
}

}  // namespace

class TestCompatCli : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString ws_, test_, pairs_, corpus_;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        ws_ = dir_.filePath("ws");
        test_ = dir_.filePath("test");
        pairs_ = dir_.filePath("pairs");
        corpus_ = dir_.filePath("corpus");
        for (const auto& [split, out, count, textsOnly] :
             {std::tuple{"test", test_, 60, false}, std::tuple{"pairs", pairs_, 80, false},
              std::tuple{"corpus", corpus_, 1500, true}}) {
            QStringList args = {"sample", "generate", "--out", out, "--split", split, "--count", QString::number(count)};
            if (textsOnly)
                args << "--texts-only";
            const CliResult r = runCli(args);
            QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        }
    }

    void trainListAndExportAClosedFormAdapter()
    {
        const CliResult r = runCli({"train", "--method", "lstsq", "--workspace", ws_, "--old", "sample-old", "--new",
                                    "sample-new", "--corpus", corpus_ + "/corpus.txt", "--pairs", pairs_, "--name",
                                    "ls"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QVERIFY2(r.out.contains("trained adapter 'ls' (lstsq, query)"), qPrintable(describe(r)));
        const CliResult list = runCli({"adapters", "--workspace", ws_});
        QVERIFY2(list.exitCode == 0, qPrintable(describe(list)));
        QVERIFY(list.out.contains("ls") && list.out.contains("lstsq") && list.out.contains("sample-new -> sample-old"));
        const CliResult exported = runCli({"adapters", "--workspace", ws_, "--export", "ls", "--out", dir_.filePath("exp")});
        QVERIFY2(exported.exitCode == 0, qPrintable(describe(exported)));
        QVERIFY(QFileInfo::exists(dir_.filePath("exp/ls.pt")));
        QCOMPARE(readJson(dir_.filePath("exp/ls.json"))["adapter"].toObject()["method"].toString(), QString("lstsq"));
    }

    // One training run per adapter: a second run of the same name is
    // refused naming the first (it would delete its live checkpoint), while
    // other adapters train meanwhile.
    // The shipped compatible models say which model they are compatible with.
    void shippedCompatibleModelsDeclareTheirOldModel()
    {
        const CliResult old = runCli({"info", "--model", "sample-old", "--json"});
        QCOMPARE(old.exitCode, 0);
        const QByteArray oldFingerprint = QJsonDocument::fromJson(old.out).object()["fingerprint"].toString().toUtf8();
        QVERIFY(!QJsonDocument::fromJson(old.out).object().contains("compatible_with"));
        for (const char* model : {"sample-new-bct", "sample-new-bt2", "sample-new-oca"}) {
            const CliResult r = runCli({"info", "--model", model, "--json"});
            QVERIFY2(r.exitCode == 0, r.err.constData());
            const QJsonObject c = QJsonDocument::fromJson(r.out).object()["compatible_with"].toObject();
            QCOMPARE(c["name"].toString(), QString("sample-old"));
            QCOMPARE(c["fingerprint"].toString().toUtf8(), oldFingerprint);
            QCOMPARE(c["dims"].toInt(), 128);
            QCOMPARE(c["compares"].toString(), QString(std::string(model) == "sample-new-bct" ? "whole" : "first-dims"));
        }
    }

    void secondTrainingOfOneAdapterIsRefused()
    {
        const QStringList args = {"train", "--method", "lstsq", "--workspace", ws_, "--old", "sample-old", "--new",
                                  "sample-new", "--corpus", corpus_ + "/corpus.txt"};
        CliResult same;
        CliResult other;
        {
            const xbt::Workspace ws = xbt::Workspace::open(ws_.toStdString(), xbt::Workspace::Mode::ReadWrite);
            const xbt::WorkspaceLock running = ws.lockAdapter("busy");
            same = runCli(args + QStringList{"--name", "busy"});
            other = runCli(args + QStringList{"--name", "free"});
        }
        QCOMPARE(same.exitCode, 1);
        QVERIFY2(same.err.contains("adapter 'busy' in workspace ") &&
                     same.err.contains("is in use by process " + QByteArray::number(::getpid())),
                 qPrintable(describe(same)));
        QVERIFY2(other.exitCode == 0, qPrintable(describe(other)));
        QCOMPARE(runCli({"adapters", "--workspace", ws_, "--delete", "free"}).exitCode, 0);
    }

    void evalPutsEveryConfigurationSideBySide()
    {
        const QString out = dir_.filePath("eval");
        const CliResult r = runCli({"eval", "--old", "sample-old", "--new", "sample-new", "--split", test_,
                                    "--workspace", ws_, "--out", out, "--bootstrap", "200"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        const QJsonObject results = readJson(out + "/results.json");
        QStringList names;
        for (const QJsonValue& c : results["configurations"].toArray())
            names << c.toObject()["name"].toString();
        QCOMPARE(names, (QStringList{"old->old", "new->new", "new->old", "new+ls->old"}));
        const QJsonObject raw = results["configurations"].toArray()[2].toObject();
        QCOMPARE(raw["comparable"].toBool(), false);
        const QJsonObject adapted = results["configurations"].toArray()[3].toObject();
        QVERIFY(adapted["text_to_image"].toObject()["ci95"].toObject()["R@1"].isArray());
        QCOMPARE(adapted["text_to_image"].toObject()["curve"].toArray().size(), 60);  // K capped at the gallery
        const QJsonObject compat = results["compatibility"].toArray()[0].toObject();
        QCOMPARE(compat["configuration"].toString(), QString("new+ls->old"));
        const QString verdict = compat["text_to_image"].toObject()["criterion"].toObject()["R@1"].toString();
        QVERIFY2(QStringList({"pass", "fail", "within noise"}).contains(verdict), qPrintable(verdict));
        QVERIFY(results["matrix"].toObject()["rows"].toArray().size() == 3);
        QVERIFY(results["split"].toObject()["categories"].toArray().size() >= 3);
        // The number users see in the table is the one in results.json.
        const double r1 = adapted["text_to_image"].toObject()["R@1"].toDouble();
        QVERIFY(r.out.contains("`new+ls->old`"));
        QVERIFY(r.out.contains(QByteArray::number(100 * r1, 'f', 1)));
        // The charts and the report.
        for (const char* png : {"recall_t2i.png", "recall_i2t.png", "matrix_t2i.png", "matrix_i2t.png"}) {
            const QImage image(out + "/" + png);
            QVERIFY2(!image.isNull() && image.width() >= 600, png);
        }
        QFile pdf(out + "/report.pdf");
        QVERIFY(pdf.open(QIODevice::ReadOnly));
        QVERIFY(pdf.read(5) == "%PDF-");
        QVERIFY(QFileInfo(out + "/recall.csv").size() > 0);
        // xbt report draws the same report from results.json alone: the
        // report shows nothing the file does not hold.
        const QString rerendered = dir_.filePath("eval-report");
        const CliResult report = runCli({"report", "--results", out + "/results.json", "--out", rerendered});
        QVERIFY2(report.exitCode == 0, qPrintable(describe(report)));
        const auto bytesOf = [](const QString& path) {
            QFile f(path);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        QVERIFY(!bytesOf(out + "/report.html").isEmpty());
        QVERIFY(bytesOf(rerendered + "/report.html") == bytesOf(out + "/report.html"));
        // Cached: a second run embeds nothing and gives the same numbers.
        const QString again = dir_.filePath("eval2");
        const CliResult r2 = runCli({"eval", "--old", "sample-old", "--new", "sample-new", "--split", test_,
                                     "--workspace", ws_, "--out", again, "--bootstrap", "200"});
        QVERIFY2(r2.exitCode == 0, qPrintable(describe(r2)));
        QCOMPARE(readJson(again + "/results.json")["configurations"].toArray()[3].toObject()["text_to_image"]
                     .toObject()["R@1"].toDouble(),
                 r1);
        QVERIFY(QDir(ws_ + "/cache/embeddings").entryList(QDir::Dirs | QDir::NoDotAndDotDot).size() == 2);
    }

    void evalErrorsSayWhatToFix()
    {
        CliResult r = runCli({"eval", "--old", "sample-old", "--new", "sample-new", "--split", test_, "--adapters",
                              "ls", "--out", dir_.filePath("x")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("--adapters needs --workspace"), qPrintable(describe(r)));
        r = runCli({"eval", "--old", "sample-old", "--new", "sample-new", "--split", test_, "--workspace", ws_,
                    "--adapters", "nope", "--out", dir_.filePath("x")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("nope"), qPrintable(describe(r)));
        // An adapter is refused for models it was not trained between.
        r = runCli({"eval", "--old", "sample-new", "--new", "sample-new", "--split", test_, "--workspace", ws_,
                    "--adapters", "ls", "--out", dir_.filePath("x")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("sample-old"), qPrintable(describe(r)));
        r = runCli({"eval", "--embeddings", dir_.filePath("missing"), "--out", dir_.filePath("x")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("missing"), qPrintable(describe(r)));
    }

    void evalOfEmbeddingsMadeElsewhere()
    {
        // xbt embed makes the files another system would.
        const QString e = dir_.filePath("emb");
        QDir().mkpath(e);
        QFile captions(test_ + "/captions.tsv");
        QVERIFY(captions.open(QIODevice::ReadOnly));
        QStringList texts, truth, images;
        for (const QByteArray& line : captions.readAll().split('\n')) {
            const QList<QByteArray> f = line.split('\t');
            if (f.size() < 2)
                continue;
            if (!images.contains(f[0]))
                images << f[0];
            texts << f[1];
            truth << QString::number(images.indexOf(f[0]));
        }
        QFile t(e + "/texts.txt"), l(e + "/images.txt"), g(e + "/truth.tsv");
        QVERIFY(t.open(QIODevice::WriteOnly) && l.open(QIODevice::WriteOnly) && g.open(QIODevice::WriteOnly));
        t.write(texts.join('\n').toUtf8() + "\n");
        for (const QString& i : images)
            l.write((test_ + "/" + i + "\n").toUtf8());
        g.write(truth.join('\n').toUtf8() + "\n");
        t.close();
        l.close();
        g.close();
        for (const auto& [space, model] : {std::pair{"old", "sample-old"}, std::pair{"new", "sample-new"}}) {
            CliResult r = runCli({"embed", "--model", model, "--texts", e + "/texts.txt", "--out",
                                  e + "/" + space + "_txt.npy"});
            QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
            r = runCli({"embed", "--model", model, "--images", e + "/images.txt", "--out", e + "/" + space + "_img.npy"});
            QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        }
        const CliResult fromFiles = runCli({"eval", "--embeddings", e, "--out", dir_.filePath("eval-emb"), "--bootstrap", "0"});
        QVERIFY2(fromFiles.exitCode == 0, qPrintable(describe(fromFiles)));
        // The same recall as evaluating the models on the split.
        const QJsonObject a = readJson(dir_.filePath("eval-emb/results.json"));
        const QJsonObject b = readJson(dir_.filePath("eval/results.json"));
        const auto r1 = [](const QJsonObject& o, int c) {
            return o["configurations"].toArray()[c].toObject()["image_to_text"].toObject()["R@1"].toDouble();
        };
        QCOMPARE(r1(a, 0), r1(b, 0));
        QCOMPARE(r1(a, 1), r1(b, 1));
    }

    void newImagesGoIntoTheOldGalleryThroughTheAdapter()
    {
        CliResult r = runCli({"index", test_, "--model", "sample-old", "--workspace", ws_, "--gallery", "g",
                              "--exclude", "00002*", "--exclude", "00003*", "--exclude", "00004*", "--exclude", "00005*"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        // After the upgrade: the rest of the images, with the new model and the adapter only.
        r = runCli({"index", test_, "--model", "sample-new", "--adapter", "ls", "--workspace", ws_, "--gallery", "g",
                    "--exclude", "00000*", "--exclude", "00001*"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        // Without the adapter the new model is refused by the old gallery.
        r = runCli({"index", test_, "--model", "sample-new", "--workspace", ws_, "--gallery", "g"});
        QCOMPARE(r.exitCode, 1);
        // Adapted text queries search the old gallery.
        r = runCli({"search", "--workspace", ws_, "--gallery", "g", "--model", "sample-new", "--adapter", "ls",
                    "--text", "a red circle", "-k", "3", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QVERIFY(r.out.contains("\"rank\""));
    }
};

QTEST_GUILESS_MAIN(TestCompatCli)
#include "test_compat_cli.moc"

// The bundled sample workspace (core/pipeline/SampleWorkspace), built small:
// a second build redoes nothing, and a workspace whose galleries were built
// with other sample models (an older package's, or before the steps recorded
// their models) re-indexes exactly those galleries and keeps its data.
#include "core/workspace/Workspace.h"
#include "core/model/ModelLoader.h"
#include "core/pipeline/SampleWorkspace.h"
#include "core/data/CaptionedSplit.h"
#include "core/util/FileUtil.h"
#include "tests/TestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <set>

using namespace xbt;
namespace fs = std::filesystem;

class TestSampleWorkspace : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    std::string ws_;

    static SampleWorkspaceOptions smallOptions()
    {
        SampleWorkspaceOptions o;
        o.testImages = 12;
        o.pairs = 8;
        o.corpusSentences = 40;
        o.validationImages = 8;
        o.unlabeledImages = 5;
        o.trainAdapter = false;
        o.device = "cpu";
        return o;
    }

    // The steps a build ran, by the stage text of their first progress report.
    std::set<std::string> build()
    {
        std::set<std::string> steps;
        buildSampleWorkspace(ws_, smallOptions(), [&](const Progress& p) {
            const auto at = p.stage.find(": ");
            std::string step = at == std::string::npos ? p.stage : p.stage.substr(at + 2);
            step = step.substr(0, step.find(" ("));
            steps.insert(step);
        });
        return steps;
    }

    std::string marker(const std::string& step) const
    {
        return readFileBytes((fs::path(ws_) / ".sample-build" / (step + ".done")).string());
    }

    static std::string fingerprintOf(const std::string& spec)
    {
        ModelOptions o;
        o.device = "cpu";
        return loadModel(spec, o)->fingerprint();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        ws_ = dir_.filePath("ws").toStdString();
    }

    void firstBuildRecordsTheModelsOfEachGallery()
    {
        const std::set<std::string> steps = build();
        QVERIFY(steps.count("generating the test split"));
        QVERIFY(steps.count("indexing with sample-new"));
        QVERIFY(sampleWorkspaceComplete(ws_));
        const Workspace ws = Workspace::open(ws_, Workspace::Mode::ReadOnly);
        QVERIFY(ws.hasGallery("sample") && ws.hasGallery("sample-new"));
        QCOMPARE(marker("old-gallery"), "done\nsample-old " + fingerprintOf("sample-old") + "\n");
        QCOMPARE(marker("new-gallery"), "done\nsample-new " + fingerprintOf("sample-new") + "\n");

        // Unlabelled images: pairs-split scenes after the pairs' own, no captions.
        QVERIFY(steps.count("generating unlabelled images"));
        const CaptionedSplit pairs = loadCaptionedSplit(ws_ + "/data/pairs");
        const CaptionedSplit unlabeled = loadImageFolderSplit(ws_ + "/data/unlabeled");
        QCOMPARE(unlabeled.images.size(), size_t(5));
        for (const std::string& image : unlabeled.images) {
            QVERIFY(std::find(pairs.images.begin(), pairs.images.end(), image) == pairs.images.end());
            QVERIFY(readFileBytes(ws_ + "/data/unlabeled/" + image) != readFileBytes(ws_ + "/data/pairs/" + pairs.images[0]));
        }
        QVERIFY(!fs::exists(ws_ + "/data/unlabeled/captions.tsv"));
        QVERIFY(!fs::exists(ws_ + "/data/unlabeled.generating"));
    }

    void secondBuildRedoesNothing()
    {
        const std::set<std::string> steps = build();
        QVERIFY2(steps.empty(), steps.empty() ? "" : steps.begin()->c_str());
    }

    void galleriesOfOtherModelsAreReindexedAndTheDataKept()
    {
        const fs::path captions = fs::path(ws_) / "data" / "test" / "captions.tsv";
        const std::string captionsBefore = readFileBytes(captions.string());
        const auto captionsTime = fs::last_write_time(captions);
        // As an older package leaves it: sample-new's gallery from another
        // sample-new, sample-old's from before markers named their models.
        writeFileAtomic((fs::path(ws_) / ".sample-build" / "new-gallery.done").string(),
                        "done\nsample-new 0123456789ab\n");
        writeFileAtomic((fs::path(ws_) / ".sample-build" / "old-gallery.done").string(), "done\n");
        QVERIFY(sampleWorkspaceComplete(ws_));  // complete by its records; stale by their models

        const std::set<std::string> steps = build();
        QCOMPARE(steps, (std::set<std::string>{"indexing with sample-old", "indexing with sample-new"}));
        QCOMPARE(marker("new-gallery"), "done\nsample-new " + fingerprintOf("sample-new") + "\n");
        QCOMPARE(marker("old-gallery"), "done\nsample-old " + fingerprintOf("sample-old") + "\n");
        const Workspace ws = Workspace::open(ws_, Workspace::Mode::ReadOnly);
        QVERIFY(ws.hasGallery("sample") && ws.hasGallery("sample-new"));
        QCOMPARE(readFileBytes(captions.string()), captionsBefore);
        QVERIFY(fs::last_write_time(captions) == captionsTime);
        QVERIFY(build().empty());
    }
};

QTEST_GUILESS_MAIN(TestSampleWorkspace)
#include "test_sample_workspace.moc"

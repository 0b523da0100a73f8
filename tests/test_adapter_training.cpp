// Training compatibility adapters on a tiny sample world: phi starts at the
// least-squares map, stage 2 improves on stage 1 without the old model and
// without touching the new model, an interrupted run resumes to the same
// adapter, a NaN stops training with the last good checkpoint kept,
// unlabelled images become stage 2's pseudo pairs, and FCT moves an old
// gallery so that new queries find things in it.
#include "core/adapt/AdapterStore.h"
#include "core/adapt/AdapterTraining.h"
#include "core/adapt/CorpusEmbeddingCache.h"
#include "core/adapt/QueryInterpolation.h"
#include "core/adapt/training/AdapterTrainingRun.h"
#include "core/embed/SideInformation.h"
#include "core/pipeline/EvaluationPipeline.h"
#include "core/workspace/Workspace.h"
#include "core/workspace/WorkspaceLayout.h"
#include "core/model/ModelLoader.h"
#include "core/sample/SampleWorldGenerator.h"
#include "core/util/FileUtil.h"
#include "core/util/InstallPaths.h"
#include "core/util/Sha256.h"
#include "tests/TestSupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>

using namespace xbt;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// One thread: on a loaded machine two spinning OpenMP threads make the
// transformer text tower ~20x slower.
ModelOptions cpuOptions()
{
    ModelOptions o;
    o.device = "cpu";
    o.threads = 1;
    return o;
}

double maxAbsDifference(const Matrix& a, const Matrix& b)
{
    if (a.rows != b.rows || a.cols != b.cols)
        return 1e9;
    double worst = 0.0;
    for (size_t i = 0; i < a.data.size(); ++i)
        worst = std::max(worst, static_cast<double>(std::abs(a.data[i] - b.data[i])));
    return worst;
}

// R@1 + R@5 + R@10 of both directions of one configuration in a saved report.
double rsum(const json& report, const std::string& configuration)
{
    const json& c = report.at("configurations").at(configuration);
    double sum = 0.0;
    for (const char* direction : {"T2I", "I2T"})
        for (const char* k : {"R@1", "R@5", "R@10"})
            sum += c.at(direction).at(k).get<double>();
    return 100.0 * sum;
}

}  // namespace

class TestAdapterTraining : public QObject {
    Q_OBJECT
private:
    QTemporaryDir root_;
    std::string pairs_, validation_, corpus_;

    std::string workspace(const char* name) const { return (fs::path(root_.path().toStdString()) / name).string(); }

    AdapterTrainRequest request(const std::string& method, const std::string& name, const std::string& ws,
                                json config) const
    {
        AdapterTrainRequest r;
        r.method = method;
        r.name = name;
        r.workspaceDir = ws;
        r.oldModel = "sample-old";
        r.newModel = "sample-new";
        r.modelOptions = cpuOptions();
        r.corpusFile = corpus_;
        r.pairsDir = pairs_;
        r.validationDir = validation_;
        r.config = std::move(config);
        r.device = "cpu";
        return r;
    }

    std::shared_ptr<CompatibilityAdapter> load(const std::string& ws, const std::string& name) const
    {
        return loadAdapter(Workspace::open(ws, Workspace::Mode::ReadOnly), name);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(root_.isValid());
        const std::string base = root_.path().toStdString();
        auto generate = [&](SampleSplit split, int count, bool textsOnly, const std::string& dir) {
            SampleWorldOptions o;
            o.outDir = dir;
            o.split = split;
            o.count = count;
            o.textsOnly = textsOnly;
            o.threads = 2;
            generateSampleWorld(o);
            return dir;
        };
        pairs_ = generate(SampleSplit::Pairs, 128, false, base + "/pairs");
        validation_ = generate(SampleSplit::Val, 64, false, base + "/val");
        corpus_ = generate(SampleSplit::Corpus, 400, true, base + "/corpus") + "/corpus.txt";
    }

    void settingsHaveDefaultsAndUnknownKeysAreRefused()
    {
        const json settings = adapterMethodSettings();
        for (const char* method : {"lstsq", "procrustes", "xbt-stage1", "xbt", "fct"})
            QVERIFY2(settings.contains(method), method);
        QVERIFY(settings["xbt"]["stage1_steps"]["default"].is_number_integer());
        QVERIFY(!settings["xbt"]["sigma"]["help"].get<std::string>().empty());
        QCOMPARE(settings["xbt"]["image_adapter"]["choices"].size(), size_t(3));

        const std::string ws = workspace("ws-settings");
        QString e = test::errorOf([&] { trainAdapter(request("xbt", "x", ws, {{"stage1_stpes", 10}})); });
        VERIFY_CONTAINS(e, "stage1_stpes");
        VERIFY_CONTAINS(e, "stage1_steps");  // the valid keys are listed
        e = test::errorOf([&] { trainAdapter(request("xbt", "x", ws, {{"sigma", "large"}})); });
        VERIFY_CONTAINS(e, "a number or \"auto\"");
        e = test::errorOf([&] { trainAdapter(request("bct", "x", ws, {})); });
        VERIFY_CONTAINS(e, "lstsq, procrustes, slerp, xbt-stage1, xbt, fct");
    }

    void corpusEmbeddingsAreCachedInTheWorkspace()
    {
        const std::string ws = workspace("ws-cache");
        Workspace::open(ws, Workspace::Mode::ReadWrite);
        const TextCorpus corpus = loadTextCorpus(corpus_);
        QVERIFY(corpus.sentences.size() > 300);
        QVERIFY(static_cast<int64_t>(corpus.sentences.size()) <= corpus.lines);
        auto model = loadModel("sample-old", cpuOptions());
        CorpusEmbeddingCache first(ws);
        const Matrix a = first.corpus(*model, corpus, {});
        QCOMPARE(first.writes(), 1);
        QVERIFY(fs::exists(fs::path(first.folder(model->fingerprint())) / ("corpus-" + corpus.sha256 + ".npy")));
        CorpusEmbeddingCache second(ws);
        const Matrix b = second.corpus(*model, corpus, {});
        QCOMPARE(second.hits(), 1);
        QCOMPARE(second.writes(), 0);
        QCOMPARE(maxAbsDifference(a, b), 0.0);
        QCOMPARE(a.rows, static_cast<int64_t>(corpus.sentences.size()));

        // A split's embeddings keep how long the images took, so that a
        // later evaluation served from the cache still knows the model's
        // measured rate (the upgrade decision table's re-embedding times).
        const CaptionedSplit split = loadCaptionedSplit(validation_);
        const SplitEmbeddings embedded = first.split(*model, split, {});
        QVERIFY(embedded.imageSeconds > 0.0);
        const SplitEmbeddings cached = second.split(*model, split, {});
        QCOMPARE(second.hits(), 2);
        QCOMPARE(cached.imageSeconds, embedded.imageSeconds);
        QCOMPARE(maxAbsDifference(cached.images, embedded.images), 0.0);
    }

    // Before any step, phi is the normalised least-squares map: its residual
    // MLP starts at zero. A learning rate of 0 keeps the start as it is.
    void phiStartsAtTheLeastSquaresMap()
    {
        const std::string ws = workspace("ws-start");
        trainAdapter(request("lstsq", "ls", ws, {{"ridge", 1e-3}, {"image_pairs", false}}));
        trainAdapter(request("xbt-stage1", "start", ws,
                             {{"ridge", 1e-3}, {"stage1_lr", 0.0}, {"sigma", 0.0}, {"stage1_steps", 2},
                              {"hidden", 32}}));
        const auto ls = load(ws, "ls");
        const auto phi = load(ws, "start");
        QVERIFY(phi->projection().hasResidual());
        QCOMPARE(phi->info().method, std::string("xbt-stage1"));
        const Matrix probe = randomUnitRows(20, phi->projection().inputDim(), 7);
        const double diff = maxAbsDifference(phi->mapTexts(probe), ls->mapTexts(probe));
        QVERIFY2(diff < 1e-5, qPrintable(QString("phi differs from least squares by %1").arg(diff)));
        // The saved settings hold every default.
        QCOMPARE(phi->info().config["stage1_batch_size"], adapterMethodSettings()["xbt-stage1"]["stage1_batch_size"]["default"]);
        QVERIFY(phi->info().metrics.contains("validation"));
    }

    // Full XBT: stage 2 (LoRA on the built-in tower) raises new+phi->old recall
    // on held-out pairs over stage 1 alone; the old model is loaded once, before
    // any training; the new model is the same afterwards. Stage 1 runs without
    // noise here, so its phi transfers poorly to images: the gap stage 2 is for.
    void xbtImprovesOnStageOneAndLeavesTheNewModelAlone()
    {
        const std::string weights = (fs::path(samplesDirectory()) / "sample-new" / "weights.pt").string();
        const std::string weightsBefore = sha256File(weights);
        const std::string fingerprintBefore = loadModel("sample-new", cpuOptions())->fingerprint();

        const std::string ws = workspace("ws-xbt");
        std::vector<std::string> events;
        AdapterTrainingProbes probes;
        probes.onModelLoad = [&](const std::string& role, const std::string&) { events.push_back("load " + role); };
        const AdapterTrainResult r = runAdapterTraining(
            request("xbt", "xbt", ws,
                    {{"sigma", 0.0}, {"stage1_steps", 300}, {"stage2_steps", 60}, {"stage2_batch_size", 32},
                     {"validate_every", 0}, {"hidden", 128}, {"image_map", "off"}}),
            [&](const AdapterTrainProgress& p) {
                if (events.empty() || events.back() != p.stage)
                    events.push_back(p.stage);
            },
            {}, probes);
        const json& metrics = r.info.metrics;
        const double stage1 = rsum(metrics.at("stage1_validation"), "new+phi->old");
        const double full = rsum(metrics.at("validation"), "new+phi->old");
        qInfo("RSUM new+phi->old: stage 1 only %.1f, after stage 2 %.1f (old->old %.1f)", stage1, full,
              rsum(metrics.at("validation"), "old->old"));
        QVERIFY2(full > stage1, "stage 2 must improve on stage 1");
        QCOMPARE(r.info.imageTowerAdaptation, std::string("lora"));
        QCOMPARE(r.info.method, std::string("xbt"));
        QCOMPARE(r.info.device, std::string("cpu"));
        QVERIFY(r.info.trainingSeconds > 0.0);

        const auto adapter = load(ws, "xbt");
        QVERIFY(!adapter->mapsImageEmbeddings());
        QVERIFY(adapter->loraDeltas().count("image.head.weight"));
        QCOMPARE(adapter->loraShapes().at("image.stages.0.weight").size(), size_t(4));

        QCOMPARE(std::count(events.begin(), events.end(), std::string("load old")), 1L);
        const auto oldLoad = std::find(events.begin(), events.end(), std::string("load old"));
        const auto stage1Start = std::find(events.begin(), events.end(), std::string("stage 1"));
        const auto stage2Start = std::find(events.begin(), events.end(), std::string("stage 2"));
        QVERIFY(oldLoad < stage1Start && stage1Start < stage2Start && stage2Start != events.end());
        QVERIFY(!fs::exists(WorkspaceLayout(ws).adapterCheckpointDir("xbt")));  // removed once saved

        QCOMPARE(sha256File(weights), weightsBefore);
        QCOMPARE(loadModel("sample-new", cpuOptions())->fingerprint(), fingerprintBefore);
    }

    // Stage 2 from a saved stage-1 adapter: an old model that cannot even be
    // loaded does not matter, because stage 2 never asks for it.
    void stageTwoRunsWithoutTheOldModel()
    {
        const std::string ws = workspace("ws-stage2");
        const AdapterTrainResult s1 = trainAdapter(request(
            "xbt-stage1", "s1", ws,
            {{"sigma", "auto"}, {"sigma_grid", {0.0, 0.2}}, {"sigma_search_steps", 20}, {"stage1_steps", 60},
             {"hidden", 64}}));
        QCOMPARE(s1.info.metrics["sigma_search"]["tried"].size(), size_t(2));

        AdapterTrainRequest req = request("xbt", "s2", ws,
                                          {{"stage1_adapter", "s1"}, {"image_adapter", "feature"},
                                           {"stage2_steps", 30}, {"stage2_batch_size", 16}, {"image_map", "off"}});
        req.oldModel = "/nonexistent/old-model.pt";
        std::vector<std::string> loads;
        AdapterTrainingProbes probes;
        probes.onModelLoad = [&](const std::string& role, const std::string&) { loads.push_back(role); };
        const AdapterTrainResult r = runAdapterTraining(req, {}, {}, probes);
        QCOMPARE(loads, std::vector<std::string>{"new"});
        QCOMPARE(r.info.oldModel.fingerprint, s1.info.oldModel.fingerprint);
        QVERIFY(r.info.metrics.contains("validation"));  // old validation embeddings came from the cache
        // Stage 2 is kept only when validation does not say it made a
        // direction worse than stage 1; either way the run says which and why.
        const json& choice = r.info.metrics.at("stage_choice");
        if (choice.at("kept") == "stage 2") {
            QCOMPARE(r.info.imageTowerAdaptation, std::string("feature-adapter"));
            QVERIFY(!load(ws, "s2")->featureAdapter().empty());
        } else {
            QCOMPARE(choice.at("kept").get<std::string>(), std::string("stage 1"));
            VERIFY_CONTAINS(QString::fromStdString(choice.at("reason").get<std::string>()), "worse than stage 1");
            QVERIFY(r.info.imageTowerAdaptation.empty());
            QVERIFY(load(ws, "s2")->featureAdapter().empty());
        }
        // The deployed queries' interpolation was chosen on the validation split.
        QCOMPARE(QString::fromStdString(r.info.interpolation.chosenBy), QStringLiteral("validation"));
        QVERIFY(r.info.metrics.at("interpolation").contains("tried"));
    }

    // Unlabelled images (--unlabeled) become pseudo pairs in stage 2: every
    // image in the folder (subfolders too, other files ignored) is embedded
    // by both models, once (a second run finds them in the cache and loads
    // no old model), captioned by corpus sentences, and changes the trained
    // phi. Requests that cannot use them are refused with the reason.
    void unlabelledImagesBecomePseudoPairsInStageTwo()
    {
        const std::string base = root_.path().toStdString();
        SampleWorldOptions o;
        o.outDir = base + "/pairs-more";
        o.split = SampleSplit::Pairs;
        o.count = 176;  // the first 128 are the pairs split's own images
        o.threads = 2;
        generateSampleWorld(o);
        const std::string unlabeled = base + "/unlabeled";
        fs::create_directories(unlabeled + "/sub");
        for (int i = 128; i < 176; ++i) {
            char name[16];
            std::snprintf(name, sizeof name, "%06d.png", i);
            fs::copy_file(o.outDir + "/" + name, unlabeled + (i % 2 ? "/sub/" : "/") + name);
        }
        writeFileAtomic(unlabeled + "/notes.txt", "not an image");

        const std::string ws = workspace("ws-unlabeled");
        trainAdapter(request("xbt-stage1", "s1", ws, {{"sigma", 0.0}, {"stage1_steps", 60}, {"hidden", 64}}));
        const json stage2 = {{"stage1_adapter", "s1"}, {"image_adapter", "feature"}, {"stage2_steps", 30},
                             {"stage2_batch_size", 16}, {"image_map", "off"}, {"unlabeled_captions", 2}};
        AdapterTrainRequest req = request("xbt", "with", ws, stage2);
        req.unlabeledDir = unlabeled;
        std::vector<std::string> loads;
        AdapterTrainingProbes probes;
        probes.onModelLoad = [&](const std::string& role, const std::string&) { loads.push_back(role); };
        const AdapterTrainResult with = runAdapterTraining(req, {}, {}, probes);
        QCOMPARE(loads, (std::vector<std::string>{"new", "old"}));  // the old model embeds the unlabelled images
        const json& data = with.info.data.at("unlabeled");
        QCOMPARE(data.at("images").get<int>(), 48);
        QCOMPARE(data.at("images_used").get<int>(), 48);
        QCOMPARE(data.at("pseudo_captions").get<int>(), 96);
        const std::vector<std::string> corpus = loadTextCorpus(corpus_).sentences;
        QCOMPARE(data.at("examples").size(), size_t(5));
        QCOMPARE(data.at("examples")[0].at("image").get<std::string>(), std::string("000128.png"));
        QCOMPARE(data.at("examples")[1].at("image").get<std::string>(), std::string("000130.png"));
        for (const json& e : data.at("examples"))
            QVERIFY(std::find(corpus.begin(), corpus.end(), e.at("caption").get<std::string>()) != corpus.end());

        loads.clear();
        req.name = "again";
        runAdapterTraining(req, {}, {}, probes);
        QCOMPARE(loads, std::vector<std::string>{"new"});  // the cache holds the old model's embeddings now

        const AdapterTrainResult without = trainAdapter(request("xbt", "without", ws, stage2));
        QVERIFY(!without.info.data.contains("unlabeled"));
        QVERIFY(load(ws, "with")->weightsFingerprint() != load(ws, "without")->weightsFingerprint());

        req.method = "procrustes";
        req.config = json::object();
        VERIFY_CONTAINS(test::errorOf([&] { trainAdapter(req); }), "xbt's stage 2 only");
        req = request("xbt", "x", ws, {{"stage1_adapter", "s1"}, {"gallery_image_weight", 0}});
        req.unlabeledDir = unlabeled;
        VERIFY_CONTAINS(test::errorOf([&] { trainAdapter(req); }), "gallery_image_weight 0");
        req = request("xbt", "x", ws, stage2);
        req.unlabeledDir = base + "/val-missing";
        VERIFY_CONTAINS(test::errorOf([&] { trainAdapter(req); }), "val-missing: not a folder");
        fs::create_directories(base + "/empty");
        req.unlabeledDir = base + "/empty";
        VERIFY_CONTAINS(test::errorOf([&] { trainAdapter(req); }), "no image found");
    }

    // The image map: fitted on the corpus alone (the old model's embeddings
    // of it come from the cache of the saved stage 1), kept for image
    // queries only when validation says so (auto) or when asked (on); texts
    // keep phi either way.
    void imageMapServesImageQueriesWhenValidationSaysSo()
    {
        const std::string ws = workspace("ws-image-map");
        // xbt-stage1 decides on the image map too: it has the corpus embedded by both models.
        const AdapterTrainResult textOnly = trainAdapter(request(
            "xbt-stage1", "s1", ws, {{"sigma", 0.0}, {"stage1_steps", 60}, {"hidden", 64}, {"image_map_ridge_grid", {0.01}}}));
        const json& stage1Choice = textOnly.info.metrics.at("image_map");
        QCOMPARE(stage1Choice.at("tried").size(), size_t(1));
        QCOMPARE(load(ws, "s1")->hasImageMap(), stage1Choice.at("kept").get<bool>());
        QCOMPARE(textOnly.info.imageTowerAdaptation == "image-map", stage1Choice.at("kept").get<bool>());
        const json stage2 = {{"stage1_adapter", "s1"}, {"image_adapter", "feature"}, {"stage2_steps", 20},
                             {"stage2_batch_size", 16}, {"image_map_ridge_grid", {0.001, 0.1}}};
        auto train = [&](const std::string& name, const std::string& setting, const json& more = json::object()) {
            json config = stage2;
            config["image_map"] = setting;
            config.update(more);
            AdapterTrainRequest req = request("xbt", name, ws, config);
            req.oldModel = "/nonexistent/old-model.pt";  // never loaded: the corpus's old embeddings are cached
            return trainAdapter(req);
        };
        const AdapterTrainResult automatic = train("auto", "auto");
        const json& choice = automatic.info.metrics.at("image_map");
        QCOMPARE(choice.at("tried").size(), size_t(2));
        // auto keeps the image map only when it beats phi by the criterion's order.
        const auto scoreOf = [](const json& j) { return std::make_pair(j.at("i2t_above_today").get<bool>(),
                                                                       j.at("i2t_recall_sum").get<double>()); };
        // The ridge is chosen with psi alone; then each share of the grid
        // (1: psi alone, the chosen ridge's own figures) mixes it with phi.
        auto alone = scoreOf(choice.at("tried")[0]);
        alone = std::max(alone, scoreOf(choice.at("tried")[1]));
        const json& shares = choice.at("shares");
        QCOMPARE(shares.size(), size_t(5));  // the default image_map_share_grid
        QCOMPARE(shares.back().at("share").get<double>(), 1.0);
        QVERIFY(scoreOf(shares.back()) == alone);
        auto best = alone;
        for (const json& row : shares)
            best = std::max(best, scoreOf(row));
        for (const json& row : shares)
            if (row.at("share") == choice.at("share"))
                QVERIFY(scoreOf(row) == best);
        const bool better = best > scoreOf(choice.at("phi"));
        QCOMPARE(choice.at("kept").get<bool>(), better);
        QCOMPARE(load(ws, "auto")->hasImageMap(), better);
        // What is saved as validation is that of the kept image queries.
        const auto savedI2T = [](const AdapterTrainResult& r) {
            const json& i2t = r.info.metrics.at("validation").at("configurations").at("new+phi->old").at("I2T");
            return i2t.at("R@1").get<double>() + i2t.at("R@5").get<double>() + i2t.at("R@10").get<double>();
        };
        if (better) {
            QCOMPARE(automatic.info.imageMapShare, choice.at("share").get<double>());
            QVERIFY(std::abs(savedI2T(automatic) - best.second) < 1e-9);
        }
        VERIFY_CONTAINS(QString::fromStdString(choice.at("reason").get<std::string>()), "validation I2T");

        // A share below 1 keeps phi and the image side, mixed with psi.
        const AdapterTrainResult half = train("half", "on", {{"image_map_share_grid", {0.5}}});
        QCOMPARE(half.info.imageMapShare, 0.5);
        // (validation may keep stage 1, whose images have no image side)
        const bool stage2Kept = half.info.metrics.at("stage_choice").at("kept") == "stage 2";
        QCOMPARE(half.info.imageTowerAdaptation, std::string(stage2Kept ? "feature-adapter" : ""));
        const auto halfAdapter = load(ws, "half");
        QVERIFY(halfAdapter->mixesImageMap());
        QCOMPARE(halfAdapter->featureAdapter().empty(), !stage2Kept);
        const Matrix zi = loadModel("sample-new", cpuOptions())->encodeTexts({"a red circle", "two blue squares"});
        const Matrix phiSide = halfAdapter->projection().apply(halfAdapter->featureAdapter().apply(zi));
        QVERIFY(maxAbsDifference(halfAdapter->mapImages(zi),
                                 interpolateRows(phiSide, halfAdapter->imageMap().apply(zi), 0.5,
                                                 InterpolationKind::Linear)) < 1e-6);
        VERIFY_CONTAINS(QString::fromStdString(half.info.metrics.at("image_map").at("reason").get<std::string>()),
                        "mix the image map (share 0.5) with phi");
        const json& halfRow = half.info.metrics.at("image_map").at("shares").at(0);
        QVERIFY(std::abs(savedI2T(half) - halfRow.at("i2t_recall_sum").get<double>()) < 1e-9);

        const AdapterTrainResult on = train("on", "on", {{"image_map_share_grid", {1.0}}});
        QVERIFY(on.info.metrics.at("image_map").at("kept").get<bool>());
        QCOMPARE(on.info.imageTowerAdaptation, std::string("image-map"));
        const auto adapter = load(ws, "on");
        QVERIFY(adapter->hasImageMap());
        QVERIFY(adapter->mapsImageEmbeddings());  // the new model's own image embeddings, no adapted tower
        QVERIFY(adapter->featureAdapter().empty() && adapter->loraDeltas().empty());
        // Texts keep phi; images go through psi.
        const auto automaticAdapter = load(ws, "auto");
        const Matrix z = loadModel("sample-new", cpuOptions())->encodeTexts({"a red circle", "two blue squares"});
        QCOMPARE(maxAbsDifference(adapter->mapTexts(z), automaticAdapter->mapTexts(z)), 0.0);
        QCOMPARE(maxAbsDifference(adapter->mapImages(z), adapter->imageMap().apply(z)), 0.0);
        // The saved validation is that of the queries as deployed.
        QVERIFY(on.info.metrics.at("validation").at("configurations").contains("new+phi->old"));

        // The image map is decided for each stage before they are compared:
        // with it on, both stages' image queries are psi's, so image-to-text
        // is never why stage 2 is dropped, even when stage 2's own image side
        // (trained far too fast here, phi at its usual rate) is worse.
        const AdapterTrainResult fast =
            train("on-fast", "on", {{"stage2_lr", 0.5}, {"stage2_phi_lr_scale", 0.004}, {"interpolate", 1},
                                    {"image_map_share_grid", {1.0}}});
        const QString stageChoice =
            QString::fromStdString(fast.info.metrics.at("stage_choice").at("reason").get<std::string>());
        QVERIFY2(!stageChoice.contains("I2T"), qPrintable(stageChoice));

        // "on" with a corpus the old model never embedded says what to do, before any training.
        const std::string other = (fs::path(root_.path().toStdString()) / "other-corpus.txt").string();
        writeFileAtomic(other, "a lone green triangle\nthree red squares\n");
        json onConfig = stage2;
        onConfig["image_map"] = "on";
        AdapterTrainRequest req = request("xbt", "refused", ws, onConfig);
        req.corpusFile = other;
        req.oldModel = "/nonexistent/old-model.pt";
        VERIFY_CONTAINS(test::errorOf([&] { trainAdapter(req); }), "image_map on needs the corpus");
    }

    void interruptedRunResumesToTheSameAdapter()
    {
        const std::string ws = workspace("ws-resume");
        const json config = {{"sigma", 0.1},         {"stage1_steps", 40},        {"stage2_steps", 12},
                             {"stage2_batch_size", 8}, {"checkpoint_every", 4}, {"validate_every", 0},
                             {"hidden", 32}};
        AdapterTrainRequest whole = request("xbt", "whole", ws, config);
        whole.validationDir.clear();
        trainAdapter(whole);

        AdapterTrainRequest split = whole;
        split.name = "split";
        CancelToken cancel;
        QVERIFY_THROWS_EXCEPTION(Cancelled, trainAdapter(split, [&](const AdapterTrainProgress& p) {
            if (p.stage == "stage 2" && p.step == 6)
                cancel.cancel();
        }, cancel));
        QVERIFY(fs::exists(fs::path(WorkspaceLayout(ws).adapterCheckpointDir("split")) / "stage2" / "state.json"));
        const AdapterTrainResult resumed = trainAdapter(split);
        QCOMPARE(resumed.resumedFromStep, int64_t(6));

        const auto a = load(ws, "whole");
        const auto b = load(ws, "split");
        QCOMPARE(maxAbsDifference(a->projection().linear, b->projection().linear), 0.0);
        QCOMPARE(maxAbsDifference(a->projection().hiddenWeight, b->projection().hiddenWeight), 0.0);
        QCOMPARE(maxAbsDifference(a->projection().outWeight, b->projection().outWeight), 0.0);
        QCOMPARE(a->loraDeltas().size(), b->loraDeltas().size());
        for (const auto& [name, delta] : a->loraDeltas())
            QVERIFY2(maxAbsDifference(delta, b->loraDeltas().at(name)) == 0.0, name.c_str());
    }

    void nanStopsTrainingAndKeepsTheLastGoodCheckpoint()
    {
        const std::string ws = workspace("ws-nan");
        const AdapterTrainRequest req = request(
            "xbt-stage1", "nan", ws, {{"sigma", 0.0}, {"stage1_steps", 20}, {"checkpoint_every", 4}, {"hidden", 16}});
        AdapterTrainingProbes probes;
        probes.nanStage = "stage 1";
        probes.nanStep = 9;
        const QString e = test::errorOf([&] { runAdapterTraining(req, {}, {}, probes); });
        VERIFY_CONTAINS(e, "not a number");
        VERIFY_CONTAINS(e, "step 8");
        VERIFY_CONTAINS(e, "stage1_lr");
        QVERIFY(fs::exists(fs::path(WorkspaceLayout(ws).adapterCheckpointDir("nan")) / "stage1" / "state.json"));
        QCOMPARE(trainAdapter(req).resumedFromStep, int64_t(8));
    }

    // FCT moves the stored old image vectors into the new space well enough
    // that new-model text queries find their images far above chance.
    void fctMovesTheOldGalleryToTheNewSpace()
    {
        const std::string ws = workspace("ws-fct");
        const AdapterTrainResult r =
            trainAdapter(request("fct", "fct", ws, {{"steps", 150}, {"batch_size", 32}, {"corpus_texts", true}}));
        QCOMPARE(r.info.kind, AdapterKind::Gallery);
        const json& t2i = r.info.metrics.at("validation").at("configurations").at("new->transformed-old").at("T2I");
        const double chance = 1.0 / r.info.metrics["validation"]["images"].get<double>();
        qInfo("FCT new->transformed-old T2I R@1 %.3f, R@5 %.3f (chance %.3f)", t2i["R@1"].get<double>(),
              t2i["R@5"].get<double>(), chance);
        QVERIFY(t2i["R@1"].get<double>() > 4.0 * chance);
        const auto adapter = load(ws, "fct");
        QCOMPARE(adapter->projection().inputDim(), int64_t(128));
        QCOMPARE(adapter->projection().outputDim(), int64_t(256));
    }

    // FCT with side information: h reads [old | image side | text side]; it
    // refuses a stored vector without its side information; and xbt eval,
    // computing the split's side information from its files as indexing
    // does, measures what training's validation measured.
    void fctWithSideInformationReadsItAndEvalAgrees()
    {
        const std::string ws = workspace("ws-fct-side");
        const AdapterTrainResult r = trainAdapter(request(
            "fct", "fct-side", ws,
            {{"steps", 60}, {"batch_size", 32}, {"corpus_texts", true}, {"side_information", "both"}}));
        QCOMPARE(r.info.data.at("side_information"), SideInformationSpec::toJson(SideInformationUse{true, true}));
        const auto adapter = load(ws, "fct-side");
        QVERIFY(adapter->usesSideInformation());
        QCOMPARE(adapter->projection().inputDim(), int64_t(128) + SideInformationSpec::inputColumns());
        VERIFY_CONTAINS(test::errorOf([&] { adapter->transformGallery(Matrix(2, 128)); }), "side information");
        const Matrix old = randomUnitRows(3, 128, 7);
        Matrix side(3, SideInformationSpec::kDims);
        side.data.assign(side.data.size(), 0.3f);
        QVERIFY(maxAbsDifference(adapter->transformGalleryImages(old, side),
                                 adapter->projection().apply(withImageSideInformation(old, side))) == 0.0);
        QVERIFY(maxAbsDifference(adapter->transformGalleryImages(old, side),
                                 adapter->transformGalleryTexts(old, side)) > 1e-4);
        VERIFY_CONTAINS(test::errorOf([&] { adapter->transformGalleryImages(old, Matrix()); }), "side information");
        // Captions' side information is learnt from the corpus sentences: refused without them.
        VERIFY_CONTAINS(test::errorOf([&] {
                            trainAdapter(request("fct", "fct-no-texts", ws, {{"steps", 5}, {"side_information", "captions"}}));
                        }),
                        "corpus_texts");

        EvaluationRequest e;
        e.oldModel = "sample-old";
        e.newModel = "sample-new";
        e.modelOptions = cpuOptions();
        e.splitDir = validation_;
        e.workspaceDir = ws;
        e.adapters = "fct-side";
        const EvaluationOutcome outcome = runEvaluation(e).outcome;
        const ConfigurationResult* moved = outcome.find(ConfigurationRole::GalleryTransform);
        QVERIFY(moved != nullptr);
        const json& trained = r.info.metrics.at("validation").at("configurations").at("new->transformed-old");
        QVERIFY(std::abs(moved->textToImage.r10 - trained.at("T2I").at("R@10").get<double>()) < 0.03);
        QVERIFY(std::abs(moved->imageToText.r10 - trained.at("I2T").at("R@10").get<double>()) < 0.03);
    }
};

QTEST_GUILESS_MAIN(TestAdapterTraining)
#include "test_adapter_training.moc"

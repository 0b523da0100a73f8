#include "core/pipeline/SampleWorkspace.h"

#include "core/adapt/AdapterTraining.h"
#include "core/data/CaptionedSplit.h"
#include "core/gallery/GalleryIndexer.h"
#include "core/workspace/Workspace.h"
#include "core/workspace/WorkspaceLayout.h"
#include "core/model/ModelLoader.h"
#include "core/workspace/UpgradeProfile.h"
#include "core/sample/SampleWorldGenerator.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

namespace xbt {

namespace fs = std::filesystem;

namespace {

// One marker file per finished step: a cancelled build resumes after the
// last finished one, and "complete" is a few stat calls.
const std::vector<std::string>& stepNames()
{
    static const std::vector<std::string> names = {"test-split",  "pairs-split", "corpus",  "val-split",
                                                   "unlabeled",   "old-gallery", "new-gallery", "adapter",
                                                   "demo-queries", "profile"};
    return names;
}

fs::path markerOf(const std::string& dir, const std::string& step)
{
    return fs::path(WorkspaceLayout(dir).sampleBuildDir()) / (step + ".done");
}

// A marker also records the models a step's result was embedded with
// ("stamp"): a workspace built with other sample models (an older package)
// redoes exactly the steps that depend on them, instead of mixing a new
// model's queries with an old model's gallery.
std::string markerText(const std::string& stamp) { return stamp.empty() ? "done\n" : "done\n" + stamp + "\n"; }

void markDone(const std::string& dir, const std::string& step, const std::string& stamp)
{
    createDirectories(WorkspaceLayout(dir).sampleBuildDir());
    writeFileAtomic(markerOf(dir, step).string(), markerText(stamp));
}

bool markerCurrent(const std::string& dir, const std::string& step, const std::string& stamp)
{
    const fs::path marker = markerOf(dir, step);
    return fs::exists(marker) && readFileBytes(marker.string()) == markerText(stamp);
}

std::string modelStamp(const std::string& spec)
{
    ModelOptions o;
    o.device = "cpu";  // the fingerprint does not depend on the device
    return spec + " " + loadModel(spec, o)->fingerprint();
}

// Reports a step's own progress under an overall "step i of n" stage.
ProgressCallback stepProgress(const ProgressCallback& progress, size_t index, const std::string& what)
{
    if (!progress)
        return {};
    const std::string prefix = "sample workspace " + std::to_string(index + 1) + "/" +
                               std::to_string(stepNames().size()) + ": " + what;
    return [progress, prefix](const Progress& p) {
        Progress q = p;
        q.stage = prefix + (p.stage.empty() ? "" : " (" + p.stage + ")");
        progress(q);
    };
}

void generate(const std::string& out, SampleSplit split, int count, bool textsOnly, const ProgressCallback& progress,
              const CancelToken& cancel)
{
    SampleWorldOptions o;
    o.outDir = out;
    o.split = split;
    o.count = count;
    o.textsOnly = textsOnly;
    generateSampleWorld(o, progress, cancel);
}

// Images without captions, the sample world's stand-in for a sample of a
// gallery's own (xbt --unlabeled): pairs-split scenes after the pairs' own
// (the generator's first `skip` scenes are those), their captions dropped.
void generateUnlabeled(const std::string& out, int skip, int count, const ProgressCallback& progress,
                       const CancelToken& cancel)
{
    const std::string staging = out + ".generating";
    fs::remove_all(staging);
    fs::remove_all(out);
    generate(staging, SampleSplit::Pairs, skip + count, false, progress, cancel);
    const CaptionedSplit all = loadCaptionedSplit(staging);
    fs::create_directories(out);
    for (size_t i = static_cast<size_t>(skip); i < all.images.size(); ++i)
        fs::rename(fs::path(staging) / all.images[i], fs::path(out) / all.images[i]);
    fs::remove_all(staging);
}

void indexGallery(const std::string& dir, const std::string& gallery, const std::string& model,
                  const ProgressCallback& progress, const CancelToken& cancel)
{
    Workspace workspace = Workspace::open(dir, Workspace::Mode::ReadWrite);
    std::unique_ptr<EmbeddingModel> m = loadModel(model, {});
    IndexRunOptions o;
    o.root = WorkspaceLayout(dir).dataSplitDir("test");
    o.gallery = gallery;
    o.modelSpec = model;
    o.captionsFile = (fs::path(o.root) / "captions.tsv").string();
    GalleryIndexer indexer(workspace, *m, o);
    const IndexRunSummary s = indexer.run(progress, cancel);
    if (s.cancelled)
        throw Cancelled();
    if (!s.failures.empty())
        throw Error("sample workspace: " + std::to_string(s.failures.size()) + " generated images could not be indexed (" +
                    s.failures.front().path + ": " + s.failures.front().reason + ")");
}

// A few captions of each category from the test split, plus free phrasings.
void writeDemoQueries(const std::string& dir)
{
    const WorkspaceLayout layout(dir);
    const CaptionedSplit split = loadCaptionedSplit(layout.dataSplitDir("test"));
    std::string text =
        "# Demo queries: one per line, shown one at a time in demo mode. Lines starting with # are ignored.\n";
    std::map<std::string, int> perCategory;
    std::set<int64_t> usedImages;
    for (size_t t = 0; t < split.captions.size(); ++t) {
        const std::string category = split.captionCategory.empty() ? "" : split.captionCategory[t];
        if (perCategory[category] >= 3 || usedImages.count(split.captionImage[t]))
            continue;
        ++perCategory[category];
        usedImages.insert(split.captionImage[t]);
        text += split.captions[t] + "\n";
    }
    text += "a red circle\na big blue star next to a small yellow square\na green triangle above a purple heart\n";
    writeFileAtomic(layout.defaultDemoQueriesFile(), text);
}

}  // namespace

std::string defaultSampleWorkspaceDir()
{
    const char* dataHome = std::getenv("XDG_DATA_HOME");
    const char* home = std::getenv("HOME");
    const fs::path base = dataHome && *dataHome ? fs::path(dataHome)
                                                : fs::path(home && *home ? home : ".") / ".local" / "share";
    return (base / "xbt-workbench" / "sample-workspace").string();
}

bool sampleWorkspaceComplete(const std::string& dir)
{
    for (const std::string& step : stepNames())
        if (!fs::exists(markerOf(dir, step)))
            return false;
    return true;
}

void buildSampleWorkspace(const std::string& dir, const SampleWorkspaceOptions& options,
                          const ProgressCallback& progress, const CancelToken& cancel)
{
    // Creates the workspace (or checks it is one); one build at a time, while
    // the galleries and the adapter it makes take their own locks as it goes.
    const WorkspaceLock buildLock = Workspace::open(dir, Workspace::Mode::ReadWrite).lock("build", "sample-workspace");
    const WorkspaceLayout layout(dir);
    const std::string oldStamp = modelStamp("sample-old");
    const std::string newStamp = modelStamp("sample-new");
    // `stale` undoes a result built with other models before the step redoes it.
    const auto run = [&](size_t index, const std::string& what, const std::string& stamp,
                         const std::function<void()>& stale, const std::function<void(const ProgressCallback&)>& f) {
        const std::string& step = stepNames()[index];
        if (markerCurrent(dir, step, stamp))
            return;
        cancel.throwIfCancelled();
        if (fs::exists(markerOf(dir, step))) {
            if (stale)
                stale();
            fs::remove(markerOf(dir, step));
        }
        const ProgressCallback p = stepProgress(progress, index, what);
        if (p)
            p(Progress{});
        f(p);
        markDone(dir, step, stamp);
    };
    const auto dropGallery = [&](const std::string& name) {
        return [dir, name] {
            Workspace workspace = Workspace::open(dir, Workspace::Mode::ReadWrite);
            if (workspace.hasGallery(name))
                workspace.deleteGallery(name);
        };
    };
    run(0, "generating the test split", "", {}, [&](const ProgressCallback& p) {
        generate(layout.dataSplitDir("test"), SampleSplit::Test, options.testImages, false, p, cancel);
    });
    run(1, "generating image-text pairs", "", {}, [&](const ProgressCallback& p) {
        generate(layout.dataSplitDir("pairs"), SampleSplit::Pairs, options.pairs, false, p, cancel);
    });
    run(2, "generating the text corpus", "", {}, [&](const ProgressCallback& p) {
        generate(layout.dataSplitDir("corpus"), SampleSplit::Corpus, options.corpusSentences, true, p, cancel);
    });
    // Validation recall while training (the default adapter's and the Train
    // panel's curves); a workspace built before this step gains it on opening.
    run(3, "generating the validation split", "", {}, [&](const ProgressCallback& p) {
        generate(layout.dataSplitDir("val"), SampleSplit::Val, options.validationImages, false, p, cancel);
    });
    run(4, "generating unlabelled images", std::to_string(options.unlabeledImages), {}, [&](const ProgressCallback& p) {
        if (options.unlabeledImages > 0)
            generateUnlabeled(layout.dataSplitDir("unlabeled"), options.pairs, options.unlabeledImages, p, cancel);
        else
            fs::remove_all(layout.dataSplitDir("unlabeled"));
    });
    run(5, "indexing with sample-old", oldStamp, dropGallery("sample"), [&](const ProgressCallback& p) { indexGallery(dir, "sample", "sample-old", p, cancel); });
    run(6, "indexing with sample-new", newStamp, dropGallery("sample-new"), [&](const ProgressCallback& p) {
        indexGallery(dir, "sample-new", "sample-new", p, cancel);
    });
    const std::function<void()> dropAdapter = [dir] {
        Workspace workspace = Workspace::open(dir, Workspace::Mode::ReadWrite);
        const std::vector<std::string> names = workspace.adapters();
        if (std::find(names.begin(), names.end(), "xbt") != names.end())
            workspace.deleteAdapter("xbt");
    };
    // The stamp names the unlabelled images too: an adapter trained without
    // them is trained again; so is one from before image queries could mix
    // the image map with phi (image_map_share_grid).
    const std::string adapterStamp = oldStamp + "; " + newStamp + "; " + std::to_string(options.unlabeledImages) +
                                     " unlabelled images; image map share chosen";
    run(7, "training the XBT adapter", options.trainAdapter ? adapterStamp : "", dropAdapter,
        [&](const ProgressCallback& p) {
        if (!options.trainAdapter)
            return;
        AdapterTrainRequest r;
        r.method = "xbt";
        r.name = "xbt";
        r.workspaceDir = dir;
        r.oldModel = "sample-old";
        r.newModel = "sample-new";
        r.corpusFile = layout.sampleCorpusFile();
        r.pairsDir = layout.dataSplitDir("pairs");
        r.validationDir = layout.dataSplitDir("val");
        if (options.unlabeledImages > 0)
            r.unlabeledDir = layout.dataSplitDir("unlabeled");
        r.device = options.device;
        trainAdapter(
            r,
            [&](const AdapterTrainProgress& a) {
                if (!p)
                    return;
                Progress q;
                q.stage = a.stage;
                q.done = a.step;
                q.total = a.totalSteps;
                q.itemsPerSecond = a.samplesPerSecond;
                q.message = a.message;
                p(q);
            },
            cancel);
    });
    run(8, "writing the demo queries", "", {}, [&](const ProgressCallback&) { writeDemoQueries(dir); });
    run(9, "writing the upgrade profile", "", {}, [&](const ProgressCallback&) {
        UpgradeProfile profile;
        profile.oldModel = "sample-old";
        profile.newModel = "sample-new";
        profile.oldGallery = "sample";
        profile.newGallery = "sample-new";
        profile.evalSplit = layout.relative(layout.dataSplitDir("test"));
        profile.demoQueries = layout.relative(layout.defaultDemoQueriesFile());
        profile.defaultAdapter = options.trainAdapter ? "xbt" : "";
        saveUpgradeProfile(dir, profile);
    });
}

}  // namespace xbt

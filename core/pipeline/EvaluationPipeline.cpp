#include "core/pipeline/EvaluationPipeline.h"

#include "core/adapt/AdapterStore.h"
#include "core/adapt/CeilingFit.h"
#include "core/adapt/CompatibilityAdapter.h"
#include "core/adapt/training/TrainingData.h"
#include "core/pipeline/AdapterRecommendation.h"
#include "core/adapt/CorpusEmbeddingCache.h"
#include "core/data/CaptionedSplit.h"
#include "core/embed/SideInformation.h"
#include "core/embed/SplitEmbedder.h"
#include "core/workspace/DemoQueryList.h"
#include "core/workspace/UpgradeProfile.h"
#include "core/workspace/WorkspaceLayout.h"
#include "core/workspace/Workspace.h"
#include "core/pipeline/LoadedModels.h"
#include "core/pipeline/PathLatency.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <tuple>

namespace xbt {

namespace {

// Embeds the split with a model, through the workspace's cache when there is one.
class SplitEmbedding {
public:
    SplitEmbedding(const EvaluationRequest& request, const ProgressCallback& progress, const CancelToken& cancel)
        : request_(request), progress_(progress), cancel_(cancel)
    {
        if (!request.workspaceDir.empty())
            cache_.emplace(request.workspaceDir);
    }

    SplitEmbeddings embed(EmbeddingModel& model, const CaptionedSplit& split, const std::string& label)
    {
        const ProgressCallback relabelled = [&](const Progress& p) {
            if (!progress_)
                return;
            Progress q = p;
            q.stage = label + ": " + p.stage;
            progress_(q);
        };
        if (cache_)
            return cache_->split(model, split, request_.embedOptions, relabelled, cancel_);
        return embedSplit(model, split, request_.embedOptions, relabelled, cancel_);
    }

private:
    const EvaluationRequest& request_;
    const ProgressCallback& progress_;
    const CancelToken& cancel_;
    std::optional<CorpusEmbeddingCache> cache_;
};

// The rows of `e` for the split images listed in `common` (all of which `e` embedded).
Matrix imageRows(const SplitEmbeddings& e, const std::vector<size_t>& common)
{
    std::vector<int64_t> rows;
    for (size_t i : common) {
        const auto it = std::find(e.embeddedImages.begin(), e.embeddedImages.end(), i);
        if (it == e.embeddedImages.end())
            throw Error("image " + std::to_string(i) + " of the split was not embedded by every model");
        rows.push_back(static_cast<int64_t>(it - e.embeddedImages.begin()));
    }
    return e.images.selectRows(rows);
}

double imagesPerSecond(const SplitEmbeddings& e)
{
    return e.imageSeconds > 0 ? static_cast<double>(e.embeddedImages.size()) / e.imageSeconds : 0.0;
}

// The split as seen through one adapter: a query adapter's queries as
// deployed (mapped, then interpolated with the old model's embedding of the
// same query, which `old` holds), or a gallery transform's moved gallery.
EmbeddingSpace adapterSpace(const CompatibilityAdapter& adapter, const EmbeddingSpace& old, const EmbeddingSpace& fresh,
                            const CaptionedSplit& split, const ModelInfo& oldModel,
                            const std::shared_ptr<EmbeddingModel>& newModel, LoadedModels& models,
                            SplitEmbedding& embedder)
{
    const AdapterInfo& info = adapter.info();
    const std::string& name = info.name;
    EmbeddingSpace s;
    s.adapter = name;
    s.method = info.method;
    if (info.kind == AdapterKind::Gallery) {
        s.kind = SpaceKind::GalleryTransform;
        s.name = name + "(old)";
        s.model = oldModel.name + " via " + name;
        s.fingerprint = newModel->info().fingerprint;
        // What indexing with --side-information stores, computed from the split's files.
        const SplitSideInformation side = adapter.usesSideInformation()
                                              ? sideInformationOfSplit(split, adapter.sideInformationUse())
                                              : SplitSideInformation{};
        s.images = adapter.transformGalleryImages(old.images, side.images);
        s.texts = adapter.transformGalleryTexts(old.texts, side.texts);
        return s;
    }
    s.kind = SpaceKind::QueryAdapter;
    s.name = "new+" + name;
    s.model = newModel->info().name + "+" + name;
    s.fingerprint = oldModel.fingerprint;
    s.texts = adapter.interpolateTexts(old.texts, adapter.mapTexts(fresh.texts));
    Matrix mappedImages;
    if (adapter.mapsImageEmbeddings()) {
        mappedImages = adapter.mapImages(fresh.images);
    } else {
        // LoRA: the image side needs the adapted image tower.
        const std::shared_ptr<const CompatibilityAdapter> shared = models.adapter(name);
        std::shared_ptr<EmbeddingModel> adapted = models.adapted(newModel, shared, AdapterUse::GalleryItems);
        const SplitEmbeddings e = embedder.embed(*adapted, split, "new+" + name);
        if (e.embeddedImages.size() != split.images.size())
            throw Error("adapter " + name + ": the adapted image tower could not read every image");
        mappedImages = e.images;
    }
    s.images = adapter.interpolateImages(old.images, mappedImages);
    return s;
}

// The adapter's validation split (its metadata names it) seen the three ways
// a backfill needs: old, new and through the adapter, with the mixing
// calibration fitted on it. Null when the adapter names none.
struct ValidationPaths {
    BackfillCalibration calibration;
    std::vector<EmbeddingSpace> spaces;
    CaptionedSplit split;
};

std::optional<ValidationPaths> validationPathsOf(const CompatibilityAdapter& adapter, const ModelInfo& oldModel,
                                                 const std::shared_ptr<EmbeddingModel>& oldLoaded,
                                                 const std::shared_ptr<EmbeddingModel>& newModel,
                                                 LoadedModels& models, SplitEmbedding& embedder)
{
    const nlohmann::json& data = adapter.info().data;
    const std::string folder =
        data.contains("validation") ? data["validation"].value("folder", std::string()) : std::string();
    if (folder.empty() || !fileExists((std::filesystem::path(folder) / "captions.tsv").string()))
        return std::nullopt;
    const CaptionedSplit split = loadCaptionedSplit(folder);
    const SplitEmbeddings byOld = embedder.embed(*oldLoaded, split, "validation, old model");
    const SplitEmbeddings byNew = embedder.embed(*newModel, split, "validation, new model");
    AlignedSplit aligned = alignSplit(split, {&byOld, &byNew});
    EmbeddingSpace old, fresh;
    old.kind = SpaceKind::Old;
    fresh.kind = SpaceKind::New;
    old.images = std::move(aligned.images[0]);
    old.texts = std::move(aligned.texts[0]);
    fresh.images = std::move(aligned.images[1]);
    fresh.texts = std::move(aligned.texts[1]);
    const EmbeddingSpace adapted =
        adapterSpace(adapter, old, fresh, aligned.split, oldModel, newModel, models, embedder);
    ValidationPaths v;
    BackfillCalibration& c = v.calibration;
    c.fittedOn = folder;
    c.textToImage = fitScoreCalibration(twoSpaceScores(RetrievalDirection::TextToImage, adapted, old, fresh, aligned.split));
    c.imageToText = fitScoreCalibration(twoSpaceScores(RetrievalDirection::ImageToText, adapted, old, fresh, aligned.split));
    v.spaces = {std::move(old), std::move(fresh), adapted};
    v.split = std::move(aligned.split);
    return v;
}

// The adapter serving not-yet-backfilled items: the recommended one, else
// the first query adapter evaluated.
BackfillCurve backfillCurveOf(const EvaluationRequest& request, const std::vector<EmbeddingSpace>& spaces,
                              const CaptionedSplit& split, const Recommendation& recommendation, LoadedModels& models,
                              SplitEmbedding& embedder)
{
    std::string adapter;
    for (const EmbeddingSpace& s : spaces)
        if (s.kind == SpaceKind::QueryAdapter && (adapter.empty() || s.adapter == recommendation.adapter))
            adapter = s.adapter;
    if (adapter.empty())
        throw Error("--backfill-curve needs a query adapter in the evaluation (--adapters): the items not yet "
                    "backfilled are searched through it");
    std::string file = request.queriesFile;
    if (file.empty() && !request.workspaceDir.empty()) {
        UpgradeProfile profile;
        if (fileExists(WorkspaceLayout(request.workspaceDir).upgradeProfileFile()))
            profile = loadUpgradeProfile(request.workspaceDir);
        const std::string demo = demoQueriesFile(request.workspaceDir, profile);
        if (fileExists(demo))
            file = demo;
    }
    Matrix logQueries;
    if (!file.empty()) {
        const std::vector<std::string> texts = parseDemoQueries(readDemoQueriesText(file));
        if (!texts.empty())
            logQueries = models.model(request.newModel, adapter)->encodeTexts(texts);
    }
    std::shared_ptr<EmbeddingModel> oldModel = models.model(request.oldModel);
    std::shared_ptr<EmbeddingModel> newModel = models.model(request.newModel);
    const std::optional<ValidationPaths> validation =
        validationPathsOf(*models.adapter(adapter), oldModel->info(), oldModel, newModel, models, embedder);
    BackfillCurve curve = evaluateBackfillCurve(spaces, adapter, split, logQueries, request.backfillFractions,
                                                validation ? &validation->calibration : nullptr,
                                                request.options.bootstrap);
    if (validation) {
        // Which order (and mixing) the decision table shows is decided on
        // validation, never on the evaluated split.
        BootstrapOptions none = request.options.bootstrap;
        none.samples = 0;
        const BackfillCurve onValidation =
            evaluateBackfillCurve(validation->spaces, adapter, validation->split, logQueries,
                                  request.backfillFractions, &validation->calibration, none);
        std::tie(curve.chosenOrder, curve.chosenMix) = bestBackfillSeries(onValidation);
    }
    return curve;
}

}  // namespace

std::optional<BackfillCalibration> fitMixingCalibration(const std::string& workspaceDir, const std::string& adapter,
                                                        const std::string& newModelSpec, LoadedModels& models,
                                                        const ProgressCallback& progress, const CancelToken& cancel)
{
    const std::shared_ptr<const CompatibilityAdapter> shared = models.adapter(adapter);
    const AdapterInfo& info = shared->info();
    EvaluationRequest request;
    request.workspaceDir = workspaceDir;
    SplitEmbedding embedder(request, progress, cancel);
    std::shared_ptr<EmbeddingModel> oldModel =
        models.model(info.oldModel.spec.empty() ? info.oldModel.name : info.oldModel.spec);
    std::shared_ptr<EmbeddingModel> newModel = models.model(newModelSpec);
    std::optional<ValidationPaths> v =
        validationPathsOf(*shared, oldModel->info(), oldModel, newModel, models, embedder);
    if (!v)
        return std::nullopt;
    return std::move(v->calibration);
}

std::vector<std::string> parseAdapterList(const std::string& list)
{
    std::vector<std::string> names;
    size_t start = 0;
    while (start <= list.size()) {
        const size_t comma = list.find(',', start);
        std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        if (!name.empty())
            names.push_back(name);
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return names;
}

EvaluationRun runEvaluation(const EvaluationRequest& request, const ProgressCallback& progress,
                            const CancelToken& cancel)
{
    EvaluationRun run;
    const CaptionedSplit split = loadCaptionedSplit(request.splitDir);
    // A workspace named for its cache alone is created, like xbt index does.
    if (!request.workspaceDir.empty() && !fileExists(WorkspaceLayout(request.workspaceDir).manifestFile()))
        Workspace::open(request.workspaceDir, Workspace::Mode::ReadWrite);
    SplitEmbedding embedder(request, progress, cancel);

    LoadedModels models(request.workspaceDir, request.modelOptions);
    std::shared_ptr<EmbeddingModel> oldModel = models.model(request.oldModel);
    const SplitEmbeddings oldEmbedded = embedder.embed(*oldModel, split, "old model");
    std::shared_ptr<EmbeddingModel> newModel = models.model(request.newModel);
    const SplitEmbeddings newEmbedded = embedder.embed(*newModel, split, "new model");
    std::vector<std::pair<std::shared_ptr<EmbeddingModel>, SplitEmbeddings>> compared;
    for (const std::string& spec : request.compareModels) {
        cancel.throwIfCancelled();
        std::shared_ptr<EmbeddingModel> m = models.model(spec);
        SplitEmbeddings e = embedder.embed(*m, split, m->info().name);
        compared.emplace_back(std::move(m), std::move(e));
    }
    std::vector<const SplitEmbeddings*> embedded = {&oldEmbedded, &newEmbedded};
    for (const auto& [model, e] : compared)
        embedded.push_back(&e);
    for (const SplitEmbeddings* e : embedded)
        run.failures.insert(run.failures.end(), e->failures.begin(), e->failures.end());

    // Evaluate on the images every model could read, so all rows line up.
    std::vector<size_t> common;
    for (size_t i : oldEmbedded.embeddedImages)
        if (std::all_of(embedded.begin() + 1, embedded.end(), [i](const SplitEmbeddings* e) {
                return std::find(e->embeddedImages.begin(), e->embeddedImages.end(), i) != e->embeddedImages.end();
            }))
            common.push_back(i);
    if (common.empty())
        throw Error(request.splitDir + ": no image of the split could be embedded");
    const bool allImages = common.size() == split.images.size();
    const CaptionedSplit evaluated = allImages ? split : split.subset(common);
    std::vector<int64_t> textRows;
    for (size_t t = 0; t < split.captions.size(); ++t)
        if (std::binary_search(common.begin(), common.end(), static_cast<size_t>(split.captionImage[t])))
            textRows.push_back(static_cast<int64_t>(t));

    const auto makeSpace = [&](SpaceKind kind, const std::string& name, const EmbeddingModel& model,
                               const SplitEmbeddings& e) {
        EmbeddingSpace s;
        s.kind = kind;
        s.name = name;
        s.model = model.info().name;
        s.fingerprint = model.info().spaceFingerprint();
        s.images = imageRows(e, common);
        s.texts = e.texts.selectRows(textRows);
        s.imagesPerSecond = imagesPerSecond(e);
        if (const CompatibleWith& c = model.info().compatibleWith; c.declared()) {
            s.compatibleWith = c.fingerprint;
            s.comparableDims = c.firstDims ? c.dims : 0;
        }
        return s;
    };
    std::vector<EmbeddingSpace> spaces;
    spaces.push_back(makeSpace(SpaceKind::Old, "old", *oldModel, oldEmbedded));
    spaces.push_back(makeSpace(SpaceKind::New, "new", *newModel, newEmbedded));
    for (const auto& [model, e] : compared) {
        const std::string name = model->info().name;
        for (const EmbeddingSpace& s : spaces)
            if (s.name == name)
                throw Error("--compare " + name + ": that name is taken by another space of this evaluation (" +
                            s.model + "); compare a model of another name");
        spaces.push_back(makeSpace(SpaceKind::Compared, name, *model, e));
    }

    const std::vector<std::string> wanted = parseAdapterList(request.adapters);
    const bool all = wanted.size() == 1 && wanted[0] == "all";
    const bool none = wanted.empty() || (wanted.size() == 1 && wanted[0] == "none");
    std::vector<AdapterInfo> evaluatedAdapters;
    if (!none) {
        if (request.workspaceDir.empty())
            throw Error("--adapters needs --workspace: adapters live in a workspace");
        const Workspace workspace = Workspace::open(request.workspaceDir, Workspace::Mode::ReadOnly);
        const std::vector<std::string> names = all ? workspace.adapters() : wanted;
        for (const std::string& name : names) {
            cancel.throwIfCancelled();
            std::shared_ptr<const CompatibilityAdapter> adapter = models.adapter(name);
            try {
                adapter->checkModels(oldModel->info(), newModel->info());
            } catch (const Error& e) {
                if (!all)
                    throw;
                run.skippedAdapters.push_back(name + ": " + e.what());
                continue;
            }
            const AdapterInfo& info = adapter->info();
            evaluatedAdapters.push_back(info);
            EmbeddingSpace s = adapterSpace(*adapter, spaces[0], spaces[1], evaluated, oldModel->info(),
                                            newModel, models, embedder);
            spaces.push_back(std::move(s));
        }
    }
    if (request.ceiling) {
        if (progress) {
            Progress p;
            p.stage = "fitting the diagnostic ceiling on the split's own pairs";
            progress(p);
        }
        const CeilingQueries c =
            fitCeilingQueries(spaces[1].texts, spaces[1].images, spaces[0].texts, spaces[0].images, evaluated.captionImage);
        EmbeddingSpace s;
        s.kind = SpaceKind::Ceiling;
        s.name = "ceiling(diagnostic)";
        s.model = newModel->info().name + " via a map fitted on the evaluated pairs (diagnostic)";
        s.fingerprint = oldModel->info().fingerprint;
        s.texts = c.texts;
        s.images = c.images;
        spaces.push_back(std::move(s));
    }
    if (progress) {
        Progress p;
        p.stage = "evaluating configurations";
        progress(p);
    }
    run.outcome = evaluateSpaces(spaces, evaluated, request.options);
    run.outcome.recommendation = recommendAdapter(evaluatedAdapters);
    if (request.backfillCurve)
        run.outcome.backfillCurve =
            backfillCurveOf(request, spaces, evaluated, run.outcome.recommendation, models, embedder);
    if (!request.options.rerankK.empty() || request.backfillCurve) {
        // The decision table's latency column.
        if (progress) {
            Progress p;
            p.stage = "timing a text query on each upgrade path";
            progress(p);
        }
        PathLatencyModels timed;
        timed.oldModel = oldModel.get();
        timed.newModel = newModel.get();
        for (const AdapterInfo& info : evaluatedAdapters)
            if (info.kind == AdapterKind::Query)
                timed.adapters[info.name] = models.model(request.newModel, info.name, AdapterUse::Query).get();
        if (newModel->info().compatibleWith.declared())
            timed.compatible["new"] = newModel.get();
        for (const auto& [model, e] : compared)
            if (model->info().compatibleWith.declared())
                timed.compatible[model->info().name] = model.get();
        measurePathLatencies(run.outcome, spaces, evaluated, timed, 50, cancel);
    }
    run.outcome.splitFolder = request.splitDir;
    return run;
}

}  // namespace xbt

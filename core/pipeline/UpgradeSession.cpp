#include "core/pipeline/UpgradeSession.h"

#include "core/embed/BatchEmbedder.h"
#include "core/pipeline/SearchReranker.h"

#include "core/adapt/AdapterStore.h"
#include "core/data/CaptionedSplit.h"
#include "core/gallery/GalleryFiles.h"
#include "core/gallery/GalleryStore.h"
#include "core/model/CompatibleView.h"
#include "core/model/RecordedModelSpec.h"
#include "core/pipeline/EvaluationPipeline.h"
#include "core/pipeline/LoadedModels.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/JsonText.h"
#include "core/util/Sha256.h"
#include "core/workspace/DemoQueryList.h"

#include <algorithm>
#include <filesystem>

namespace xbt {

namespace fs = std::filesystem;

const char* columnKindKey(ColumnKind kind)
{
    switch (kind) {
    case ColumnKind::Today: return "old->old";
    case ColumnKind::Raw: return "new->old";
    case ColumnKind::Adapted: return "new+adapter->old";
    case ColumnKind::Backfill: return "new->new";
    }
    return "";
}

namespace {

Workspace openWorkspace(const std::string& dir, UpgradeSession::Open open)
{
    // Created (or checked) for writing once; the session itself only reads,
    // and writers take their own locks per thing written.
    if (open == UpgradeSession::Open::CreateIfMissing)
        Workspace::open(dir, Workspace::Mode::ReadWrite);
    return Workspace::open(dir, Workspace::Mode::ReadOnly);
}

}  // namespace

UpgradeSession::UpgradeSession(const std::string& dir, ModelOptions modelOptions, Open open)
    : workspace_(openWorkspace(dir, open)), modelOptions_(std::move(modelOptions)),
      models_(std::make_unique<LoadedModels>(workspace_.dir(), modelOptions_))
{
    loadProfile();
}

UpgradeSession::~UpgradeSession() = default;

void UpgradeSession::loadProfile()
{
    UpgradeProfile profile = loadUpgradeProfile(dir());
    ProfileSource source = ProfileSource::Saved;
    ProfileInference inference;
    if (profile.oldModel.empty()) {
        inference = inferUpgradeProfile(workspace_);
        profile = inference.profile;
        source = profile.oldModel.empty() ? ProfileSource::None : ProfileSource::Inferred;
    }
    std::lock_guard<std::mutex> profileLock(profileMutex_);
    profile_ = std::move(profile);
    profileSource_ = source;
    inference_ = std::move(inference);
}

UpgradeProfile UpgradeSession::profile() const
{
    std::lock_guard<std::mutex> lock(profileMutex_);
    return profile_;
}

std::shared_ptr<EmbeddingModel> UpgradeSession::loadModel(const std::string& spec, const std::string& adapter)
{
    std::lock_guard<std::mutex> lock(mutex_);
    return models_->model(spec, adapter);
}

GallerySearch& UpgradeSession::gallerySearch(const std::string& gallery)
{
    auto it = searches_.find(gallery);
    if (it == searches_.end())
        it = searches_.emplace(gallery, std::make_unique<GallerySearch>(workspace_, gallery)).first;
    return *it->second;
}

const CaptionedSplit* UpgradeSession::evalSplit()
{
    if (!splitLoaded_) {
        splitLoaded_ = true;
        if (!profile_.evalSplit.empty()) {
            try {
                split_ = std::make_unique<CaptionedSplit>(loadCaptionedSplit(profile_.evalSplitPath(dir())));
            } catch (const Error&) {
                // Ground-truth marks are a nicety: a missing split only loses them.
            }
        }
    }
    return split_.get();
}

WorkspaceSummary UpgradeSession::summarize()
{
    std::lock_guard<std::mutex> lock(mutex_);
    WorkspaceSummary s;
    s.dir = dir();
    s.profile = profile_;
    s.profileSource = profileSource_;
    s.profileChoices = inference_.choices;
    s.profileMissing = inference_.missing;
    s.galleries = workspace_.galleries();
    s.galleryDetails = galleryOverviews(workspace_);
    s.adapters = listAdapters(workspace_);
    for (const char* role : {"old", "new"}) {
        ModelStatus st;
        st.role = role;
        st.spec = std::string(role) == "old" ? profile_.oldModel : profile_.newModel;
        if (!st.spec.empty()) {
            try {
                st.info = models_->model(st.spec)->info();
                st.loaded = true;
            } catch (const std::exception& e) {
                st.error = e.what();
            }
        } else {
            st.error = "not chosen yet";
            for (const std::string& m : inference_.missing)
                if (m.rfind("the " + std::string(role) + " model", 0) == 0)
                    st.error = m;
        }
        s.models.push_back(st);
    }
    const bool bothLoaded = s.models[0].loaded && s.models[1].loaded;
    for (const AdapterInfo& a : s.adapters) {
        // Only adapters between exactly these two models can serve here.
        if (bothLoaded && (a.newModel.fingerprint != s.models[1].info.fingerprint ||
                           a.oldModel.fingerprint != s.models[0].info.fingerprint)) {
            s.staleAdapters.push_back(a.name);
            continue;
        }
        if (a.kind == AdapterKind::Query)
            s.queryAdapters.push_back(a.name);
    }
    std::error_code ec;
    if (fs::is_regular_file(workspace_.sampleCorpusFile(), ec))
        s.defaultCorpus = workspace_.sampleCorpusFile();
    if (fs::is_directory(workspace_.dataSplitDir("pairs"), ec))
        s.defaultPairs = workspace_.dataSplitDir("pairs");
    if (fs::is_directory(workspace_.dataSplitDir("val"), ec))
        s.defaultValidation = workspace_.dataSplitDir("val");
    if (fs::is_directory(workspace_.dataSplitDir("unlabeled"), ec))
        s.defaultUnlabeled = workspace_.dataSplitDir("unlabeled");
    s.demoQueriesFile = demoQueriesFile(dir(), profile_);
    try {
        s.demoQueries = parseDemoQueries(readDemoQueriesText(s.demoQueriesFile));
    } catch (const std::exception& e) {
        s.demoQueriesError = e.what();
    }
    return s;
}

namespace {

// One query (a text, or an image file) embedded by `model`: one row.
Matrix embedQuery(EmbeddingModel& model, const std::string& text, const std::string& imagePath)
{
    if (!text.empty())
        return model.encodeTexts({text});
    BatchEmbedder embedder(model, {1, 1});
    const ImageEmbedResult r = embedder.embedImages({{imagePath, imagePath}});
    if (!r.failures.empty())
        throw Error("query image " + r.failures.front().reason);
    return r.embeddings;
}

}  // namespace

MixedScoring UpgradeSession::mixedScoring(const SearchRequest& request, const EmbeddingModel& newModel)
{
    // Calibrations exist for the two cross-modal directions the evaluation
    // measures; a text-to-text or image-to-image mixed search mixes raw.
    const bool textToImage = !request.text.empty() && request.options.target == SearchTarget::Images;
    const bool imageToText = request.text.empty() && request.options.target == SearchTarget::Captions;
    MixedScoring raw;
    if (!textToImage && !imageToText)
        return raw;
    // Keyed by the adapter's metadata (a retrained adapter is another key)
    // and the new model; the fit embeds the adapter's validation split once
    // (through the embedding cache) and takes a few seconds, so it is kept.
    Sha256 h;
    h.update(readFileBytes((std::filesystem::path(workspace_.adapterDir(request.adapter)) / "adapter.json").string()));
    h.update(newModel.fingerprint());
    const std::string key = h.hexDigest();
    const std::string file = (std::filesystem::path(workspace_.mixingCacheDir()) / (key + ".json")).string();
    nlohmann::json fit;
    if (fileExists(file)) {
        try {
            fit = readJsonFile(file);
        } catch (const Error&) {
            fit = nullptr;  // a damaged cache entry is fitted again
        }
    }
    if (!fit.is_object()) {
        std::optional<BackfillCalibration> c;
        try {
            c = fitMixingCalibration(workspace_.dir(), request.adapter, request.modelSpec, *models_);
        } catch (const Error& e) {
            // The search still answers; the next one tries to fit again.
            return {1.0, 0.0, std::string("raw: the calibration could not be fitted: ") + e.what()};
        }
        if (!c) {
            fit = {{"fitted_on", nullptr}};
        } else {
            const auto side = [](const ScoreCalibration& s) {
                return nlohmann::json{{"new_scale", s.newScale}, {"new_bias", s.newBias}};
            };
            fit = {{"fitted_on", c->fittedOn}, {"text_to_image", side(c->textToImage)},
                   {"image_to_text", side(c->imageToText)}};
        }
        try {
            std::filesystem::create_directories(workspace_.mixingCacheDir());
            writeFileAtomic(file, fit.dump(2));
        } catch (const std::exception&) {
            // A read-only workspace: use the fit now, fit again next time.
        }
    }
    if (!fit["fitted_on"].is_string())
        return {1.0, 0.0, "raw: adapter '" + request.adapter + "' names no validation split to calibrate on"};
    const nlohmann::json& side = fit.at(textToImage ? "text_to_image" : "image_to_text");
    MixedScoring m;
    m.newScale = side.at("new_scale").get<double>();
    m.newBias = side.at("new_bias").get<double>();
    char map[64];
    std::snprintf(map, sizeof map, "%.2f x cosine %+.2f", m.newScale, m.newBias);
    m.description = "calibrated on " + fit["fitted_on"].get<std::string>() + ": a new-space cosine ranks as " + map;
    return m;
}

SearchResults UpgradeSession::search(const SearchRequest& request)
{
    if (!request.text.empty() == !request.imagePath.empty())
        throw Error("a search needs exactly one of a text or an image");
    if (!request.adapter.empty() && request.modelSpec.empty())
        throw Error("an adapter maps the new model's queries: name the new model too (--model)");
    std::lock_guard<std::mutex> lock(mutex_);
    GallerySearch& s = gallerySearch(request.gallery);
    const std::string spec = request.modelSpec.empty() ? s.settings().modelSpec : request.modelSpec;
    EmbeddingModel& model = *models_->forGallery(spec, request.adapter, s.settings().modelFingerprint);
    SearchOptions options = request.options;
    if (request.rerankK > 0) {
        if (request.modelSpec.empty() || model.fingerprint() == s.settings().modelFingerprint)
            throw Error("re-ranking re-scores the old gallery's top hits with the NEW model: give the new model "
                        "(--model) and an adapter, or a model trained compatible with the gallery's");
        options.k = std::max<int64_t>(options.k, request.rerankK);
    }
    if (request.mixed && (request.adapter.empty() || request.modelSpec.empty()))
        throw Error("a mixed search scores the backfilled items with the new model and the rest through an adapter: "
                    "give both (--model NEW --adapter NAME)");
    SearchResults results;
    if (request.mixed) {
        EmbeddingModel& fresh = *models_->model(request.modelSpec);
        s.requireNewModelStore(fresh.info());  // before calibrating: that takes seconds the first time
        const Matrix adapted = embedQuery(model, request.text, request.imagePath);
        const Matrix byNew = embedQuery(fresh, request.text, request.imagePath);
        results = s.byVectorMixed(std::vector<float>(adapted.row(0), adapted.row(0) + adapted.cols),
                                  modelSpace(model.info()), std::vector<float>(byNew.row(0), byNew.row(0) + byNew.cols),
                                  fresh.info(), options, mixedScoring(request, fresh));
    } else {
        results = request.text.empty() ? s.byImage(model, request.imagePath, options)
                                       : s.byText(model, request.text, options);
    }
    if (model.info().adapterName == kCompatibleViewName)
        results.compatibleQuery = model.info().name + " was trained compatible with " + s.settings().modelName +
                                  ": its queries search this gallery through their " +
                                  std::to_string(model.embeddingDim()) + " old-comparable dims";
    if (request.rerankK > 0) {
        EmbeddingModel& fresh = *models_->model(request.modelSpec);
        const NewModelStore store(workspace_, request.gallery, fresh.info(), fresh.embeddingDim(), request.modelSpec);
        rerankHits(results, fresh, embedQuery(fresh, request.text, request.imagePath), request.rerankK,
                   request.useNewModelStore ? &store : nullptr);
        if (static_cast<int64_t>(results.hits.size()) > request.options.k)
            results.hits.resize(static_cast<size_t>(request.options.k));
    }
    return results;
}

ComparisonColumn UpgradeSession::runColumn(ColumnKind kind, const std::string& gallery, EmbeddingModel& model,
                                           const ComparisonQuery& query, bool allowIncompatible)
{
    ComparisonColumn c;
    c.kind = kind;
    GallerySearch& s = gallerySearch(gallery);
    if (allowIncompatible && s.settings().embeddingDim != model.embeddingDim()) {
        c.unavailable = "Not comparable: the new model makes " + std::to_string(model.embeddingDim()) +
                        "-d vectors, the old gallery holds " + std::to_string(s.settings().embeddingDim) +
                        "-d ones. Without an adapter the new model cannot search this gallery at all.";
        return c;
    }
    SearchOptions o;
    o.k = query.k;
    o.allowIncompatible = allowIncompatible;
    o.target = query.isImage() ? SearchTarget::Captions : SearchTarget::Images;
    c.results = query.isImage() ? s.byImage(model, query.imagePath, o) : s.byText(model, query.text, o);
    c.incompatible = c.results.incompatibleComparison;
    return c;
}

Comparison UpgradeSession::compare(const ComparisonQuery& query, const CancelToken& cancel)
{
    std::lock_guard<std::mutex> lock(mutex_);
    const double start = monotonicSeconds();
    Comparison out;
    out.query = query;
    if (profile_.oldModel.empty())
        throw Error("this workspace's upgrade is not known yet (no upgrade.json, and its galleries and adapters do "
                    "not say): choose the old and the new model in the Models tab");

    // One column failing (a missing gallery, an adapter of other models)
    // must not hide the others: its error becomes the column's message.
    auto guarded = [&](ColumnKind kind, const std::string& title, const std::string& subtitle, auto&& body) {
        cancel.throwIfCancelled();
        ComparisonColumn c;
        try {
            c = body();
        } catch (const Cancelled&) {
            throw;
        } catch (const std::exception& e) {
            c.unavailable = e.what();
        }
        c.kind = kind;
        c.title = title;
        c.subtitle = subtitle;
        out.columns.push_back(std::move(c));
    };
    const std::string oldGallery = profile_.oldGallery;
    const auto newModel = [&] {
        if (profile_.newModel.empty())
            throw Error("No new model chosen yet: choose it in the Models tab.");
        return models_->model(profile_.newModel);
    };
    guarded(ColumnKind::Today, "old -> old", "today's system", [&] {
        return runColumn(ColumnKind::Today, oldGallery, *models_->model(profile_.oldModel), query, false);
    });
    // Whether the new model was trained compatible with the old one. A model
    // that does not load is not: its columns report why.
    bool compatibleNew = false;
    try {
        compatibleNew = !profile_.newModel.empty() &&
                        isCompatibleWith(newModel()->info(), models_->model(profile_.oldModel)->fingerprint());
    } catch (const std::exception&) {
    }
    if (compatibleNew)
        guarded(ColumnKind::Raw, "new -> old (compatible)", "the new model was trained compatible with the old one", [&] {
            return runColumn(ColumnKind::Raw, oldGallery,
                             *models_->forGallery(profile_.newModel, {}, models_->model(profile_.oldModel)->fingerprint()),
                             query, false);
        });
    else
        guarded(ColumnKind::Raw, "new -> old (raw)", "incompatible comparison: new queries, old vectors, no adapter", [&] {
            return runColumn(ColumnKind::Raw, oldGallery, *newModel(), query, true);
        });
    guarded(ColumnKind::Adapted, "new + " + (query.adapter.empty() ? std::string("adapter") : query.adapter) + " -> old",
            "compatible upgrade: old gallery, not re-embedded", [&] {
                if (query.adapter.empty())
                    throw Error("No query adapter between " + profile_.oldModel + " and " + profile_.newModel +
                                " in this workspace: train one in the Train tab." +
                                (compatibleNew ? " (The new model was trained compatible with the old one: its own "
                                                 "column searches the old gallery without one.)"
                                               : ""));
                if (query.rerankK <= 0)
                    return runColumn(ColumnKind::Adapted, oldGallery,
                                     *models_->adapted(newModel(), models_->adapter(query.adapter)), query, false);
                // Re-ranked: the adapter's top K re-scored by the new model.
                ComparisonQuery deeper = query;
                deeper.k = std::max(query.k, query.rerankK);
                ComparisonColumn c = runColumn(ColumnKind::Adapted, oldGallery,
                                               *models_->adapted(newModel(), models_->adapter(query.adapter)), deeper,
                                               false);
                const NewModelStore store(workspace_, oldGallery, newModel()->info(), newModel()->embeddingDim(),
                                          profile_.newModel);
                rerankHits(c.results, *newModel(), embedQuery(*newModel(), query.text, query.imagePath),
                           query.rerankK, &store);
                if (static_cast<int>(c.results.hits.size()) > query.k)
                    c.results.hits.resize(static_cast<size_t>(query.k));
                // The column shows the scores its order follows: the new model's.
                for (SearchHit& h : c.results.hits)
                    if (h.reranked)
                        h.score = h.rerankScore;
                return c;
            });
    if (query.rerankK > 0 && !out.columns.empty() && out.columns.back().unavailable.empty()) {
        ComparisonColumn& c = out.columns.back();
        c.title += ", re-ranked @" + std::to_string(query.rerankK);
        c.subtitle = describeRerank(c.results.rerank) + "; scores are the new model's";
    }
    if (!profile_.newGallery.empty())
        guarded(ColumnKind::Backfill, "new -> new", "full re-index (the reference)", [&] {
            return runColumn(ColumnKind::Backfill, profile_.newGallery, *newModel(), query, false);
        });
    markGroundTruth(out);
    out.seconds = monotonicSeconds() - start;
    return out;
}

void UpgradeSession::markGroundTruth(Comparison& out)
{
    const ComparisonQuery& query = out.query;
    if (const CaptionedSplit* split = evalSplit()) {
        if (!query.isImage()) {
            for (size_t i = 0; i < split->captions.size(); ++i)
                if (split->captions[i] == query.text) {
                    out.groundTruthImage =
                        (fs::path(split->root) / split->images[static_cast<size_t>(split->captionImage[i])])
                            .lexically_normal()
                            .string();
                    break;
                }
        } else {
            std::error_code ec;
            const fs::path q = fs::weakly_canonical(query.imagePath, ec);
            for (size_t i = 0; i < split->images.size(); ++i) {
                if (fs::weakly_canonical(fs::path(split->root) / split->images[i], ec) != q)
                    continue;
                for (size_t c = 0; c < split->captions.size(); ++c)
                    if (split->captionImage[c] == static_cast<int64_t>(i))
                        out.groundTruthCaptions.push_back(split->captions[c]);
                break;
            }
        }
    }
    for (ComparisonColumn& c : out.columns)
        for (const SearchHit& h : c.results.hits) {
            const bool truth = query.isImage()
                                   ? std::find(out.groundTruthCaptions.begin(), out.groundTruthCaptions.end(),
                                               h.caption) != out.groundTruthCaptions.end()
                                   : !out.groundTruthImage.empty() &&
                                         (fs::path(c.results.root) / h.path).lexically_normal().string() ==
                                             out.groundTruthImage;
            c.groundTruth.push_back(truth ? 1 : 0);
        }
}

IndexRunSummary UpgradeSession::index(const IndexRequest& request, const ProgressCallback& progress,
                                      const CancelToken& cancel)
{
    // Its own models and workspace handle: a long run holds no session lock.
    Workspace workspace = Workspace::open(dir(), Workspace::Mode::ReadWrite);
    LoadedModels models(dir(), modelOptions_);
    std::string galleryFingerprint;
    if (workspace.hasGallery(request.run.gallery))
        galleryFingerprint = GalleryStore::open(galleryFiles(workspace.galleryDir(request.run.gallery)).database,
                                                GalleryStore::Mode::ReadOnly)
                                 .settings()
                                 .modelFingerprint;
    std::shared_ptr<EmbeddingModel> model =
        models.forGallery(request.modelSpec, request.adapter, galleryFingerprint, AdapterUse::GalleryItems);
    IndexRunOptions options = request.run;
    options.modelSpec = recordedModelSpec(request.modelSpec);
    if (modelOptions_.batchSize > 0)
        options.batchSize = modelOptions_.batchSize;
    options.decodeThreads = modelOptions_.threads;
    IndexRunSummary summary = GalleryIndexer(workspace, *model, options).run(progress, cancel);
    forgetSearch(request.run.gallery);
    return summary;
}

BackfillSummary UpgradeSession::backfill(const BackfillRequest& request, const ProgressCallback& progress,
                                         const CancelToken& cancel)
{
    // Its own models and workspace handle, like index(): a long run holds no session lock.
    Workspace workspace = Workspace::open(dir(), Workspace::Mode::ReadWrite);
    Workspace::checkName("gallery", request.run.gallery);
    if (!workspace.hasGallery(request.run.gallery))
        throw Error("gallery '" + request.run.gallery + "' does not exist in workspace " + dir());
    const GallerySettings settings =
        GalleryStore::open(galleryFiles(workspace.galleryDir(request.run.gallery)).database, GalleryStore::Mode::ReadOnly)
            .settings();
    LoadedModels models(dir(), modelOptions_);
    std::shared_ptr<EmbeddingModel> fresh = models.model(request.modelSpec);
    BackfillOptions options = request.run;
    options.modelSpec = recordedModelSpec(request.modelSpec);
    if (modelOptions_.batchSize > 0)
        options.batchSize = modelOptions_.batchSize;
    options.decodeThreads = modelOptions_.threads;
    std::shared_ptr<EmbeddingModel> old;
    if (options.order == BackfillOrder::Queries) {
        std::string file = request.queriesFile;
        if (file.empty())
            file = demoQueriesFile(dir(), profile());
        options.queryLog = parseDemoQueries(readDemoQueriesText(file));
        old = models.model(settings.modelSpec);
    }
    BackfillSummary summary = GalleryBackfill(workspace, *fresh, old.get(), options).run(progress, cancel);
    forgetSearch(request.run.gallery);
    return summary;
}

void UpgradeSession::promoteBackfill(const std::string& gallery)
{
    Workspace workspace = Workspace::open(dir(), Workspace::Mode::ReadWrite);
    promoteBackfilledModel(workspace, gallery);
    forgetSearch(gallery);
}

void UpgradeSession::dropBackfill(const std::string& gallery, bool retiredOnly)
{
    Workspace workspace = Workspace::open(dir(), Workspace::Mode::ReadWrite);
    dropSecondSpace(workspace, gallery, retiredOnly);
    forgetSearch(gallery);
}

void UpgradeSession::forgetSearch(const std::string& gallery)
{
    // Its index in memory predates the run: the next search reopens it.
    std::lock_guard<std::mutex> lock(mutex_);
    searches_.erase(gallery);
}

ImportRunSummary UpgradeSession::importEmbeddings(const ImportRequest& request, const ProgressCallback& progress)
{
    Workspace workspace = Workspace::open(dir(), Workspace::Mode::ReadWrite);
    LoadedModels models(dir(), modelOptions_);
    std::shared_ptr<EmbeddingModel> model = models.model(request.modelSpec);
    ImportRunOptions options = request.run;
    options.modelSpec = recordedModelSpec(request.modelSpec);
    if (modelOptions_.batchSize > 0)
        options.batchSize = modelOptions_.batchSize;
    options.decodeThreads = modelOptions_.threads;
    ImportRunSummary summary = importIntoGallery(workspace, *model, options, progress);
    forgetSearch(request.run.gallery);
    return summary;
}

AdapterTrainResult UpgradeSession::train(AdapterTrainRequest request, const AdapterProgressCallback& progress,
                                         const CancelToken& cancel)
{
    request.workspaceDir = dir();
    if (!request.gallery.empty() && workspace_.hasGallery(request.gallery)) {
        const GalleryStore store =
            GalleryStore::open(galleryFiles(workspace_.galleryDir(request.gallery)).database, GalleryStore::Mode::ReadOnly);
        request.galleryModelName = store.settings().modelName;
        request.galleryModelFingerprint = store.settings().modelFingerprint;
    }
    return trainAdapter(request, progress, cancel);
}

void UpgradeSession::invalidate()
{
    std::lock_guard<std::mutex> lock(mutex_);
    searches_.clear();
    models_->clear();  // upgrade.json may name other models now
    split_.reset();
    splitLoaded_ = false;
    loadProfile();
}

void UpgradeSession::reloadProfile()
{
    std::lock_guard<std::mutex> lock(mutex_);
    loadProfile();
}

void UpgradeSession::switchModels(const std::string& oldSpec, const std::string& newSpec,
                                  const std::string& oldGallery)
{
    if (oldSpec.empty() || newSpec.empty())
        throw Error("choose both an old and a new model");
    // Loading can take seconds (TorchScript): done outside the lock so that
    // queries keep running on the models in use until the switch.
    LoadedModels loaded(dir(), modelOptions_);
    for (const auto& [role, spec] : {std::pair<std::string, std::string>{"old", oldSpec}, {"new", newSpec}}) {
        try {
            loaded.model(spec);
        } catch (const std::exception& e) {
            throw Error("the " + role + " model " + spec + " did not load: " + e.what());
        }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    // Re-read the file rather than trust the cached profile: the demo list
    // editor may have changed other fields since. An inferred profile is
    // the starting point when there is no file yet.
    UpgradeProfile fresh = hasUpgradeProfile(dir()) ? loadUpgradeProfile(dir()) : profile();
    fresh.oldModel = oldSpec;
    fresh.newModel = newSpec;
    if (!oldGallery.empty())
        fresh.oldGallery = oldGallery;
    if (fresh.oldGallery.empty())
        fresh.oldGallery = "default";
    saveUpgradeProfile(dir(), fresh);
    models_->clear();
    for (const std::string& spec : {oldSpec, newSpec})
        models_->keep(spec, loaded.model(spec));
    searches_.clear();
    loadProfile();
}

int64_t UpgradeSession::galleryImageCount(const std::string& gallery)
{
    std::lock_guard<std::mutex> lock(mutex_);
    return gallerySearch(gallery).imageIndexReport().vectors;
}

}  // namespace xbt

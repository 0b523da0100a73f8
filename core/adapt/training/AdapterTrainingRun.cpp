#include "core/adapt/training/AdapterTrainingRun.h"

#include "core/adapt/AdapterStore.h"
#include "core/adapt/ClosedFormFit.h"
#include "core/adapt/CorpusEmbeddingCache.h"
#include "core/adapt/training/AdapterSettingsTable.h"
#include "core/adapt/training/ImageMapFit.h"
#include "core/adapt/training/InterpolationChoice.h"
#include "core/adapt/training/TrainingData.h"
#include "core/adapt/training/torch/FctTrainer.h"
#include "core/adapt/training/torch/LoraImageTower.h"
#include "core/adapt/training/torch/OptimizationLoop.h"
#include "core/adapt/training/torch/PseudoCaptions.h"
#include "core/adapt/training/torch/XbtFeatureAdapter.h"
#include "core/adapt/training/torch/XbtStage1Trainer.h"
#include "core/adapt/training/torch/XbtStage2Trainer.h"
#include "core/embed/SideInformation.h"
#include "core/model/ModelLoader.h"
#include "core/model/RecordedModelSpec.h"
#include "core/model/TorchRuntime.h"
#include "core/model/torch/TorchTensors.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/JsonText.h"
#include "core/util/Sha256.h"
#include "core/util/Timestamp.h"
#include "core/workspace/Workspace.h"
#include "core/workspace/WorkspaceLayout.h"

#include <torch/torch.h>

#include <filesystem>
#include <numeric>
#include <optional>

namespace xbt {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

ModelRef refOf(const EmbeddingModel& model, const std::string& spec)
{
    return {model.info().name, model.fingerprint(), model.embeddingDim(), recordedModelSpec(spec)};
}

json splitData(const CaptionedSplit& split, const SplitEmbeddings& embedded)
{
    return {{"folder", split.root},
            {"images", split.images.size()},
            {"captions", split.captions.size()},
            {"images_embedded", embedded.embeddedImages.size()}};
}

// One call of runAdapterTraining: the request's data, models and results.
class AdapterTrainingRun {
public:
    AdapterTrainingRun(const AdapterTrainRequest& request, const AdapterProgressCallback& progress,
                       const CancelToken& cancel, const AdapterTrainingProbes& probes)
        : probes_(probes), request_(request), progress_(progress), cancel_(cancel),
          method_(request.method),
          name_(request.name.empty() ? request.method : request.name),
          config_(resolveAdapterSettings(request.method, request.config)), settings_(config_),
          device_(resolveDevice(request.device)), cache_(request.workspaceDir)
    {
        Workspace::checkName("adapter", name_);
        if (request.workspaceDir.empty())
            throw Error("training an adapter needs a workspace folder (where the adapter is saved)");
        // Fails early, before any embedding, when the workspace is not one or
        // another run trains this adapter; held until the adapter is saved,
        // as the checkpoints and the adapter's folder are this run's alone.
        const Workspace workspace = Workspace::open(request.workspaceDir, Workspace::Mode::ReadWrite);
        adapterLock_.emplace(workspace.lockAdapter(name_));
        if (!request.gallery.empty()) {
            if (method_ != "fct")
                throw Error("--gallery names the gallery an fct transform moves; method " + method_ +
                            " takes no gallery");
            if (!workspace.hasGallery(request.gallery))
                throw Error("gallery '" + request.gallery + "' does not exist in workspace " + workspace.dir() +
                            "; name one that xbt galleries lists (the old model's gallery the transform moves)");
        }
        options_ = request.modelOptions;
        if (options_.device.empty() || options_.device == "auto")
            options_.device = request.device;
        if (options_.batchSize > 0)
            embedOptions_.batchSize = options_.batchSize;
        if (options_.threads > 0)
            embedOptions_.decodeThreads = options_.threads;
        seed_ = static_cast<uint64_t>(settings_.integer("seed"));
    }

    AdapterTrainResult run()
    {
        const double start = monotonicSeconds();
        configureTorchThreads(options_.threads);
        readInputs();
        loadModels();
        const double embedStart = monotonicSeconds();
        embedData();
        metrics_["embedding_seconds"] = monotonicSeconds() - embedStart;
        std::unique_ptr<CompatibilityAdapter> adapter;
        if (closedForm()) {
            adapter = fitClosedForm();
        } else {
            prepareCheckpoints();
            adapter = method_ == "fct" ? trainFct() : trainXbt();
        }
        AdapterInfo& info = adapter->mutableInfo();
        info.name = name_;
        info.method = method_;
        info.oldModel = oldRef_;
        info.newModel = newRef_;
        info.config = config_;
        info.data = data_;
        info.metrics = metrics_;
        info.seed = seed_;
        info.device = device_.str();
        info.created = utcTimestamp();
        info.trainingSeconds = monotonicSeconds() - start;
        report("saving", "saving adapter " + name_);
        const Workspace workspace = Workspace::open(request_.workspaceDir, Workspace::Mode::ReadWrite);
        saveAdapter(workspace, *adapter);
        if (!checkpointRoot_.empty())
            fs::remove_all(checkpointRoot_);

        AdapterTrainResult result;
        result.info = info;
        result.adapterDir = workspace.adapterDir(name_);
        result.resumedFromStep = resumedFrom_;
        result.seconds = monotonicSeconds() - start;
        return result;
    }

private:
    bool fromSavedStage1() const { return method_ == "xbt" && !settings_.text("stage1_adapter").empty(); }
    bool closedForm() const { return method_ == "lstsq" || method_ == "procrustes" || method_ == "slerp"; }
    // Stage-2 terms that align with what the old gallery stores: they need
    // the old model's embeddings of the pairs (images, captions).
    bool galleryImageTerm() const
    {
        return method_ == "xbt" &&
               (settings_.number("gallery_image_weight") > 0.0 || settings_.number("gallery_text_weight") > 0.0);
    }
    // The image map is fitted on the corpus embedded by both models (ImageMapFit.h).
    bool imageMapWanted() const
    {
        return (method_ == "xbt" || method_ == "xbt-stage1") && settings_.text("image_map") != "off";
    }
    // xbt-stage1 embeds a given pairs split with the old model too, so that a
    // later xbt run from the saved stage 1 finds the old gallery's vectors of
    // those images in the cache without loading the old model.
    bool oldEmbedsPairs() const
    {
        return method_ == "fct" || method_ == "xbt-stage1" || (closedForm() && settings_.flag("image_pairs")) ||
               galleryImageTerm();
    }

    void readInputs()
    {
        if (!request_.corpusFile.empty())
            corpus_ = loadTextCorpus(request_.corpusFile);
        if (!request_.pairsDir.empty())
            pairs_ = loadCaptionedSplit(request_.pairsDir);
        if (!request_.validationDir.empty())
            validationSplit_ = loadCaptionedSplit(request_.validationDir);
        if (!request_.unlabeledDir.empty()) {
            if (method_ != "xbt")
                throw Error("unlabelled images (" + request_.unlabeledDir + ") are used by xbt's stage 2 only; " +
                            method_ + " does not take them");
            if (!corpus_)
                throw Error("unlabelled images take their pseudo captions from the corpus: give a corpus file");
            if (settings_.number("gallery_image_weight") <= 0.0)
                throw Error("unlabelled images train only the caption -> stored image term, which "
                            "gallery_image_weight 0 turns off: set it above 0, or leave out the unlabelled images");
            unlabeled_ = loadImageFolderSplit(request_.unlabeledDir);
        }
        if (method_ == "xbt-stage1" && !corpus_)
            throw Error("xbt-stage1 trains on text only: give a corpus file (one sentence per line)");
        if (method_ == "xbt" && !pairs_)
            throw Error("xbt stage 2 needs image-text pairs: give a pairs split folder (images + captions.tsv)");
        if (method_ == "xbt" && !corpus_ && !fromSavedStage1())
            throw Error("xbt stage 1 trains on text only: give a corpus file (one sentence per line), or "
                        "stage1_adapter naming a saved xbt-stage1 adapter");
        if (method_ == "fct" && !pairs_)
            throw Error("fct learns from images embedded by both models: give a pairs split folder");
        if (method_ == "fct" && settings_.flag("corpus_texts") && !corpus_)
            throw Error("fct setting corpus_texts is on: give a corpus file, or turn corpus_texts off");
        if (closedForm() && !corpus_ && !(pairs_ && settings_.flag("image_pairs")))
            throw Error(method_ + " is fitted on paired embeddings: give a corpus file, or a pairs split with "
                                  "image_pairs on");
        if (corpus_)
            data_["corpus"] = {{"file", corpus_->file},
                               {"lines", corpus_->lines},
                               {"sentences", corpus_->sentences.size()},
                               {"sha256", corpus_->sha256}};
    }

    std::unique_ptr<EmbeddingModel> load(const std::string& role, const std::string& spec)
    {
        if (spec.empty())
            throw Error("training " + method_ + " needs the " + role + " model: give its spec (built-in name, "
                        "TorchScript archive or model folder)");
        report("loading models", "loading the " + role + " model " + spec);
        if (probes_.onModelLoad)
            probes_.onModelLoad(role, spec);
        return loadModel(spec, options_);
    }

    void loadModels()
    {
        newModel_ = load("new", request_.newModel);
        newRef_ = refOf(*newModel_, request_.newModel);
        if (fromSavedStage1()) {
            const std::string stage1 = settings_.text("stage1_adapter");
            const Workspace workspace = Workspace::open(request_.workspaceDir, Workspace::Mode::ReadOnly);
            stage1Adapter_ = loadAdapter(workspace, stage1);
            if (stage1Adapter_->info().method != "xbt-stage1")
                throw Error("stage1_adapter '" + stage1 + "' is a " + stage1Adapter_->info().method +
                            " adapter; name an xbt-stage1 adapter");
            stage1Adapter_->checkNewModel(newModel_->info());
            oldRef_ = stage1Adapter_->info().oldModel;
        } else {
            oldModel_ = load("old", request_.oldModel);
            oldRef_ = refOf(*oldModel_, request_.oldModel);
        }
        // Unlabelled images need the old model's embeddings, which a run from
        // a saved stage 1 finds only in the cache when an earlier run made them.
        if (!oldModel_ && unlabeled_)
            unlabeledOld_ = cache_.cachedSplit(oldRef_.fingerprint, *unlabeled_);
        if (!oldModel_ && unlabeled_ && !unlabeledOld_) {
            if (request_.oldModel.empty())
                throw Error("the old model's embeddings of the unlabelled images in " + unlabeled_->root +
                            " are not cached: give the old model, which embeds them");
            oldModel_ = load("old", request_.oldModel);
            if (oldModel_->fingerprint() != oldRef_.fingerprint)
                throw Error("old model " + request_.oldModel + " (fingerprint " +
                            fingerprintPrefix(oldModel_->fingerprint()) + ") is not the one stage1_adapter was trained "
                            "against (" + oldRef_.name + ", fingerprint " + fingerprintPrefix(oldRef_.fingerprint) + ")");
        }
        if (!request_.galleryModelFingerprint.empty() && request_.galleryModelFingerprint != oldRef_.fingerprint)
            throw Error("gallery '" + request_.gallery + "' was built with model " + request_.galleryModelName +
                        " (fingerprint " + fingerprintPrefix(request_.galleryModelFingerprint) + "), not with the old "
                        "model " + oldRef_.name + " (fingerprint " + fingerprintPrefix(oldRef_.fingerprint) +
                        "): an fct transform only moves the old model's gallery");
    }

    ProgressCallback embedProgress(const std::string& what, const EmbeddingModel& model)
    {
        const std::string stage = "embedding " + what + " (" + model.info().name + ")";
        return [this, stage](const Progress& p) {
            AdapterTrainProgress a;
            a.stage = stage;
            a.step = p.done;
            a.totalSteps = p.total;
            a.samplesPerSecond = p.itemsPerSecond;
            a.device = device_.str();
            a.message = p.message;
            if (progress_)
                progress_(a);
        };
    }

    void embedData()
    {
        const bool corpusUsed = corpus_ && (method_ != "fct" || settings_.flag("corpus_texts"));
        if (corpusUsed) {
            corpusNew_ = cache_.corpus(*newModel_, *corpus_, embedOptions_, embedProgress("corpus", *newModel_), cancel_);
            if (oldModel_)
                corpusOld_ =
                    cache_.corpus(*oldModel_, *corpus_, embedOptions_, embedProgress("corpus", *oldModel_), cancel_);
            else if (imageMapWanted())  // from a saved stage 1, whose run cached them
                corpusOld_ = cache_.cachedCorpus(oldRef_.fingerprint, *corpus_, oldRef_.dims).value_or(Matrix());
        }
        if (imageMapWanted() && settings_.text("image_map") == "on" && corpusOld_.rows == 0)
            throw Error("image_map on needs the corpus embedded by the old model: give --corpus (when starting from "
                        "stage1_adapter, the corpus that adapter was trained on, whose old embeddings are cached), "
                        "or set image_map to auto or off");
        if (pairs_) {
            pairsNew_ = cache_.split(*newModel_, *pairs_, embedOptions_, embedProgress("pairs", *newModel_), cancel_);
            data_["pairs"] = splitData(*pairs_, *pairsNew_);
            if (oldEmbedsPairs() && oldModel_)
                pairsOld_ = cache_.split(*oldModel_, *pairs_, embedOptions_, embedProgress("pairs", *oldModel_), cancel_);
            else if (oldEmbedsPairs())
                pairsOld_ = cache_.cachedSplit(oldRef_.fingerprint, *pairs_);
            if (oldEmbedsPairs() && !pairsOld_)
                throw Error("gallery_image_weight and gallery_text_weight need the old model's embeddings of " +
                            pairs_->root + ", which are not cached: train stage1_adapter with this pairs split "
                            "given, train stage 1 in the same run, or set both to 0");
        }
        if (unlabeled_) {
            unlabeledNew_ =
                cache_.split(*newModel_, *unlabeled_, embedOptions_, embedProgress("unlabelled images", *newModel_), cancel_);
            if (!unlabeledOld_)  // else found in the cache while loading the models
                unlabeledOld_ = cache_.split(*oldModel_, *unlabeled_, embedOptions_,
                                             embedProgress("unlabelled images", *oldModel_), cancel_);
            data_["unlabeled"] = {{"folder", unlabeled_->root},
                                  {"images", unlabeled_->images.size()},
                                  {"images_embedded", unlabeledNew_->images.rows}};
        }
        if (validationSplit_)
            embedValidation();
        // Everything the old model contributes is embedded now: training (stage
        // 1 included) works on embeddings alone, and stage 2 never sees it.
        if (oldModel_) {
            oldModel_.reset();
            report("embedding done", "the old model is released");
        }
    }

    void embedValidation()
    {
        const SplitEmbeddings byNew =
            cache_.split(*newModel_, *validationSplit_, embedOptions_, embedProgress("validation", *newModel_), cancel_);
        std::optional<SplitEmbeddings> byOld;
        if (oldModel_) {
            byOld = cache_.split(*oldModel_, *validationSplit_, embedOptions_, embedProgress("validation", *oldModel_),
                                 cancel_);
        } else {
            byOld = cache_.cachedSplit(oldRef_.fingerprint, *validationSplit_);
            if (!byOld && !request_.oldModel.empty()) {
                // Only to measure: the old gallery's embeddings of the validation split.
                std::unique_ptr<EmbeddingModel> old = load("old", request_.oldModel);
                if (old->fingerprint() != oldRef_.fingerprint)
                    throw Error("old model " + request_.oldModel + " is not the one stage1_adapter was trained "
                                "against (" + oldRef_.name + ", fingerprint " + fingerprintPrefix(oldRef_.fingerprint) + ")");
                byOld = cache_.split(*old, *validationSplit_, embedOptions_, embedProgress("validation", *old), cancel_);
            }
        }
        if (!byOld) {
            report("validation", "validation skipped: the old model's embeddings of " + validationSplit_->root +
                                     " are not cached and no old model was given");
            return;
        }
        AlignedSplit aligned = alignSplit(*validationSplit_, {&*byOld, &byNew});
        data_["validation"] = splitData(*validationSplit_, byNew);
        auto space = [&](SpaceKind kind, const char* name, const ModelRef& model, size_t m) {
            EmbeddingSpace s;
            s.kind = kind;
            s.name = name;
            s.model = model.name;
            s.fingerprint = model.fingerprint;
            s.images = std::move(aligned.images[m]);
            s.texts = std::move(aligned.texts[m]);
            return s;
        };
        validation_ = AdapterValidation::onSplit(aligned.split, space(SpaceKind::Old, "old", oldRef_, 0),
                                                 space(SpaceKind::New, "new", newRef_, 1));
    }

    // A checkpoint is resumed only by a run of the same request: the
    // identity names the method, every setting and the exact data and models.
    void prepareCheckpoints()
    {
        identity_ = {{"method", method_},
                     {"config", config_},
                     {"old_model", oldRef_.fingerprint},
                     {"new_model", newRef_.fingerprint},
                     {"corpus", corpus_ ? corpus_->sha256 : ""},
                     {"pairs", pairs_ ? cache_.splitKey(*pairs_) : ""},
                     {"validation", validationSplit_ ? cache_.splitKey(*validationSplit_) : ""},
                     {"stage1_adapter", stage1Adapter_ ? sha256Hex(stage1Adapter_->info().toJson().dump()) : ""}};
        if (unlabeled_)  // only then, so that other runs keep resuming checkpoints made before this key existed
            identity_["unlabeled"] = cache_.splitKey(*unlabeled_);
        checkpointRoot_ = WorkspaceLayout(request_.workspaceDir).adapterCheckpointDir(name_);
        const std::string marker = (fs::path(checkpointRoot_) / "request.json").string();
        if (fs::exists(checkpointRoot_)) {
            bool same = false;
            try {
                same = readJsonFile(marker) == identity_;
            } catch (const std::exception&) {
            }
            if (!request_.resume || !same) {
                fs::remove_all(checkpointRoot_);
                report("checkpoint", request_.resume ? "discarded the checkpoint of a different request for " + name_
                                                     : "starting afresh as asked (checkpoint discarded)");
            }
        }
        createDirectories(checkpointRoot_);
        if (!fileExists(marker))
            writeFileAtomic(marker, identity_.dump(2));
    }

    LoopHooks hooksFor(const std::string& stage, const std::string& folder) const
    {
        LoopHooks hooks;
        if (!folder.empty())
            hooks.checkpoint = TrainingCheckpoint((fs::path(checkpointRoot_) / folder).string());
        hooks.identity = identity_;
        hooks.progress = progress_;
        hooks.cancel = cancel_;
        if (probes_.nanStage == stage)
            hooks.nanAtStep = probes_.nanStep;
        return hooks;
    }

    void report(const std::string& stage, const std::string& message) const
    {
        if (!progress_)
            return;
        AdapterTrainProgress p;
        p.stage = stage;
        p.device = device_.str();
        p.message = message;
        progress_(p);
    }

    std::unique_ptr<CompatibilityAdapter> fitClosedForm()
    {
        report("fitting", "fitting " + method_);
        Matrix source, target;  // new -> old
        json rows = json::object();
        if (corpus_) {
            source = corpusNew_;
            target = corpusOld_;
            rows["corpus_sentences"] = corpusNew_.rows;
        }
        if (pairs_ && settings_.flag("image_pairs")) {
            const AlignedSplit aligned = alignSplit(*pairs_, {&*pairsOld_, &*pairsNew_});
            source.appendRows(aligned.images[1]);
            target.appendRows(aligned.images[0]);
            rows["pair_images"] = aligned.images[0].rows;
        }
        data_["fitted_rows"] = rows;
        ProjectionWeights projection;
        // slerp (Ricci et al.) is the orthogonal (Procrustes) alignment of
        // new into old, deployed with spherical interpolation.
        projection.linear = method_ == "lstsq" ? fitLeastSquares(source, target, settings_.number("ridge"))
                                               : fitProcrustes(source, target);
        auto adapter = std::make_unique<CompatibilityAdapter>(AdapterInfo{}, std::move(projection));
        if (validation_.hasSplit())
            deployQueryAdapter(*adapter, adapter->mapTexts(validation_.newTexts()),
                               adapter->mapImages(validation_.newSpace().images));
        else
            deployQueryAdapter(*adapter, Matrix(), Matrix());
        return adapter;
    }

    // Validation metrics of a query adapter that maps image embeddings itself.
    void measureQueryAdapter(const CompatibilityAdapter& adapter, const std::string& key)
    {
        if (validation_.hasSplit())
            metrics_[key] = validation_.queryReport(adapter.mapTexts(validation_.newTexts()),
                                                    adapter.mapImages(validation_.newSpace().images));
    }

    // A query adapter as deployed: its interpolation with the old query is
    // chosen on the validation split (or fixed, see InterpolationChoice.h) and
    // stored in it; returns the validation report of the deployed queries
    // (empty without a split). `mappedTexts` / `mappedImages`: the adapter's
    // queries of the validation split.
    json interpolationOf(CompatibilityAdapter& adapter, const Matrix& mappedTexts, const Matrix& mappedImages,
                         json* choiceReport) const
    {
        InterpolationRequest request;
        request.weight = config_.at("interpolate");
        request.kind = settings_.text("interpolation");
        request.grid = settings_.numbers("interpolation_grid");
        // SLERP's published default is the midpoint; the others' is the adapter alone.
        request.fallbackWeight = method_ == "slerp" ? 0.5 : 1.0;
        const InterpolationChoice choice = chooseInterpolation(validation_, mappedTexts, mappedImages, request);
        adapter.mutableInfo().interpolation = choice.interpolation;
        *choiceReport = choice.report;
        if (!validation_.hasSplit())
            return json::object();
        return validation_.queryReport(adapter.interpolateTexts(validation_.oldSpace().texts, mappedTexts),
                                       adapter.interpolateImages(validation_.oldSpace().images, mappedImages));
    }

    void deployQueryAdapter(CompatibilityAdapter& adapter, const Matrix& mappedTexts, const Matrix& mappedImages)
    {
        json choice;
        const json validation = interpolationOf(adapter, mappedTexts, mappedImages, &choice);
        metrics_["interpolation"] = choice;
        if (!validation.empty())
            metrics_["validation"] = validation;
        report("interpolation", "queries interpolated with the old model's: " +
                                    adapter.info().interpolation.describe() + " (" +
                                    adapter.info().interpolation.chosenBy + ")");
    }

    double searchSigma(XbtStage1Trainer& trainer, const AdapterValidation& validation)
    {
        const std::vector<double> grid = settings_.numbers("sigma_grid");
        const std::string file = (fs::path(checkpointRoot_) / "sigma-search.json").string();
        if (fileExists(file)) {
            const json saved = readJsonFile(file);
            if (saved.value("identity", json()) == identity_) {
                metrics_["sigma_search"] = saved.at("result");
                return saved.at("result").at("chosen").get<double>();
            }
        }
        json result = {{"steps", settings_.integer("sigma_search_steps")}, {"tried", json::array()}};
        double best = grid[grid.size() / 2];
        double bestScore = -1.0;
        if (validation.empty()) {
            result["note"] = "no validation data (no split, corpus too small to hold sentences out): took the "
                             "middle of sigma_grid";
        } else {
            for (double sigma : grid) {
                LoopHooks hooks = hooksFor("sigma search", "");
                const std::string stage = "sigma search (sigma " + json(sigma).dump() + ")";
                const XbtStage1Outcome out =
                    trainer.train(sigma, settings_.integer("sigma_search_steps"), validation, hooks, stage);
                const double score = out.loop.validation.score();
                result["tried"].push_back({{"sigma", sigma}, {"score", score}, {"recall", out.loop.validation.describe()}});
                report(stage, "sigma " + json(sigma).dump() + ": validation " + out.loop.validation.describe());
                if (score > bestScore) {
                    bestScore = score;
                    best = sigma;
                }
            }
        }
        result["chosen"] = best;
        writeFileAtomic(file, json{{"identity", identity_}, {"result", result}}.dump(2));
        metrics_["sigma_search"] = result;
        return best;
    }

    struct Stage1 {
        ProjectionWeights phi;
        double temperature = 0.07;
    };

    Stage1 trainStage1()
    {
        AdapterValidation validation = validation_;
        Matrix trainNew = corpusNew_, trainOld = corpusOld_;
        if (!validation_.hasSplit()) {
            const SentenceHoldOut holdOut =
                holdOutSentences(corpusNew_.rows, settings_.integer("validation_sentences"), seed_);
            if (!holdOut.heldOut.empty()) {
                validation = AdapterValidation::onHeldOutTexts(corpusNew_.selectRows(holdOut.heldOut),
                                                               corpusOld_.selectRows(holdOut.heldOut));
                trainNew = corpusNew_.selectRows(holdOut.train);
                trainOld = corpusOld_.selectRows(holdOut.train);
            }
        }
        data_["corpus"]["stage1_sentences"] = trainNew.rows;
        data_["corpus"]["held_out_sentences"] = corpusNew_.rows - trainNew.rows;
        const XbtStage1Settings settings = XbtStage1Settings::from(settings_);
        XbtStage1Trainer trainer(settings, trainNew, trainOld, device_);
        const double sigma = settings_.isAuto("sigma") ? searchSigma(trainer, validation) : settings_.number("sigma");
        const XbtStage1Outcome out =
            trainer.train(sigma, settings.optimizer.steps, validation, hooksFor("stage 1", "stage1"), "stage 1");
        resumedFrom_ = out.loop.resumedFromStep;
        metrics_["stage1"] = {{"sigma", sigma},
                              {"temperature", out.temperature},
                              {"steps", settings.optimizer.steps},
                              {"final_loss", out.loop.lastLoss},
                              {"seconds", out.loop.seconds},
                              {"validation_r1", out.loop.validation.describe()}};
        if (!validation_.hasSplit() && !validation.empty()) {
            const CompatibilityAdapter phi(AdapterInfo{}, out.phi);
            metrics_[method_ == "xbt" ? "stage1_validation" : "validation"] =
                validation.queryReport(phi.mapTexts(validation.newTexts()), Matrix());
        }
        return {out.phi, out.temperature};
    }

    std::unique_ptr<CompatibilityAdapter> trainXbt()
    {
        Stage1 stage1;
        if (stage1Adapter_) {
            stage1.phi = stage1Adapter_->projection();
            stage1.temperature = stage1Adapter_->info().metrics.value("stage1", json::object()).value("temperature", 0.07);
            data_["stage1_adapter"] = stage1Adapter_->info().name;
        } else {
            stage1 = trainStage1();
        }
        auto stage1Adapter = std::make_unique<CompatibilityAdapter>(AdapterInfo{}, stage1.phi);
        if (method_ == "xbt-stage1") {
            if (!validation_.hasSplit())
                return deployedWithoutValidation(std::move(stage1Adapter));
            Deployed d = deployedOnValidation(std::move(stage1Adapter));
            commit(d);
            return std::move(d.adapter);
        }
        measureQueryAdapter(*stage1Adapter, "stage1_validation");

        const bool gallery = galleryImageTerm();
        const AlignedSplit pairs = gallery ? alignSplit(*pairs_, {&*pairsNew_, &*pairsOld_}) : alignSplit(*pairs_, {&*pairsNew_});
        std::string mode = settings_.text("image_adapter");
        if (mode == "auto")
            mode = LoraImageTower::supports(*newModel_) ? "lora" : "feature";
        std::unique_ptr<XbtImageSide> imageSide;
        if (mode == "lora") {
            auto tower = std::make_unique<LoraImageTower>(*newModel_, settings_.integer("lora_rank"),
                                                          settings_.number("lora_alpha"), seed_, device_);
            report("stage 2", "reading the pairs' images for LoRA");
            auto pixelsOf = [&](const CaptionedSplit& split) {
                std::vector<size_t> rows(split.images.size());
                std::iota(rows.begin(), rows.end(), size_t(0));
                return loadSplitPixels(split, rows, newModel_->info().preprocess, device_, cancel_);
            };
            torch::Tensor train = pixelsOf(pairs.split);
            torch::Tensor validation = validation_.hasSplit() ? pixelsOf(validation_.split()) : torch::Tensor();
            imageSide = makeLoraImageSide(std::move(tower), train, validation);
        } else {
            imageSide = makeFeatureImageSide(pairs.images[0], validation_.newSpace().images,
                                             settings_.integer("feature_hidden"), seed_, device_);
        }
        XbtStage2Data data;
        data.captionTexts = pairs.texts[0];
        data.captionsOfImage = captionsOfImages(pairs.split);
        data.anchorTexts = corpusNew_;
        if (gallery) {
            if (settings_.number("gallery_image_weight") > 0.0)
                data.galleryImages = pairs.images[1];
            if (settings_.number("gallery_text_weight") > 0.0)
                data.galleryCaptions = pairs.texts[1];
        }
        if (unlabeled_)
            addPseudoCaptions(data);
        data_["pairs"]["images_used"] = pairs.split.images.size();
        const XbtStage2Settings settings = XbtStage2Settings::from(settings_);
        XbtStage2Trainer trainer(settings, stage1.phi, stage1.temperature, *imageSide, device_);
        const XbtStage2Outcome out = trainer.train(data, validation_, hooksFor("stage 2", "stage2"));
        if (out.loop.resumedFromStep > 0)
            resumedFrom_ = out.loop.resumedFromStep;
        metrics_["stage2"] = {{"image_adapter", imageSide->adaptation()},
                              {"steps", settings.optimizer.steps},
                              {"final_loss", out.loop.lastLoss},
                              {"seconds", out.loop.seconds}};
        auto adapter = std::make_unique<CompatibilityAdapter>(AdapterInfo{}, out.phi);
        adapter->mutableInfo().imageTowerAdaptation = imageSide->adaptation();
        imageSide->storeInto(*adapter);
        if (!validation_.hasSplit())
            return deployedWithoutValidation(std::move(adapter));
        Deployed kept = keepBetterStage(deployedOnValidation(std::move(stage1Adapter)),
                                        deployedOnValidation(std::move(adapter), out.validationTexts,
                                                             out.validationImages));
        commit(kept);
        return std::move(kept.adapter);
    }

    // Unlabelled images into stage 2's gallery term (PseudoCaptions.h), with
    // a few of the pictures' pseudo captions in the adapter's data record, so
    // that a user can see whether the new model describes their images.
    void addPseudoCaptions(XbtStage2Data& data)
    {
        const AlignedSplit unlabeled = alignSplit(*unlabeled_, {&*unlabeledNew_, &*unlabeledOld_});
        const int64_t perImage = settings_.integer("unlabeled_captions");
        report("stage 2", "captioning " + std::to_string(unlabeled.split.images.size()) +
                              " unlabelled images with the new model's best corpus sentences");
        const PseudoCaptions picked = pickPseudoCaptions(unlabeled.images[0], corpusNew_, perImage, device_);
        data.unlabeledImages = unlabeled.images[1];
        data.pseudoCaptionTexts = corpusNew_.selectRows(picked.sentence);
        data.pseudoCaptionImage = picked.image;
        json examples = json::array();
        for (size_t p = 0; p < picked.sentence.size() && examples.size() < 5; p += static_cast<size_t>(perImage)) {
            const std::string& image = unlabeled.split.images[static_cast<size_t>(picked.image[p])];
            const std::string& caption = corpus_->sentences[static_cast<size_t>(picked.sentence[p])];
            examples.push_back({{"image", image}, {"caption", caption}});
            report("stage 2", "pseudo caption of " + image + ": " + caption);
        }
        data_["unlabeled"]["images_used"] = unlabeled.split.images.size();
        data_["unlabeled"]["pseudo_captions"] = picked.sentence.size();
        data_["unlabeled"]["examples"] = examples;
    }

    // Without a validation split nothing is chosen: the image map is there
    // only when image_map is on (the grid's middle ridge), and interpolation
    // takes its fixed or fallback weight.
    std::unique_ptr<CompatibilityAdapter> deployedWithoutValidation(std::unique_ptr<CompatibilityAdapter> adapter)
    {
        if (imageMapWanted() && settings_.text("image_map") == "on") {
            const std::vector<double> grid = settings_.numbers("image_map_ridge_grid");
            adapter = withImageMap(*adapter, transposedTextMap(corpusOld_, corpusNew_, grid[grid.size() / 2]), 1.0);
        }
        deployQueryAdapter(*adapter, Matrix(), Matrix());  // keeps a held-out text report
        return adapter;
    }

    // psi for each ridge of image_map_ridge_grid (ImageMapFit.h), from the
    // corpus embedded by both models; fitted once, shared by both stages.
    const std::vector<std::pair<double, ProjectionWeights>>& psiCandidates()
    {
        if (psiCandidates_.empty()) {
            report("image map", "fitting the image map on " + std::to_string(corpusOld_.rows) + " corpus sentences");
            for (double ridge : settings_.numbers("image_map_ridge_grid"))
                psiCandidates_.emplace_back(ridge, transposedTextMap(corpusOld_, corpusNew_, ridge));
        }
        return psiCandidates_;
    }

    // `adapter` with the image map `psi` at `share` of its image queries
    // (its interpolation kept). At share 1 its image side (LoRA, feature
    // adapter), which only images used, is left out; below it is kept, as
    // image queries mix the two (CompatibilityAdapter::mapImages).
    static std::unique_ptr<CompatibilityAdapter> withImageMap(const CompatibilityAdapter& adapter,
                                                              ProjectionWeights psi, double share)
    {
        if (share < 1.0) {
            auto out = std::make_unique<CompatibilityAdapter>(adapter);
            out->mutableInfo().imageMapShare = share;
            out->setImageMap(std::move(psi));
            return out;
        }
        auto out = std::make_unique<CompatibilityAdapter>(AdapterInfo{}, adapter.projection());
        out->mutableInfo().interpolation = adapter.info().interpolation;
        out->mutableInfo().imageTowerAdaptation = "image-map";
        out->setImageMap(std::move(psi));
        return out;
    }

    // A query adapter as it would be deployed, chosen on validation: its
    // interpolation and (xbt, xbt-stage1) whether image queries take the
    // image map, with the metrics that say so. Candidates are compared in
    // this form (stage 1 against stage 2), and commit() stores the kept one's.
    struct Deployed {
        std::unique_ptr<CompatibilityAdapter> adapter;
        json interpolation;  // metrics.interpolation
        json validation;     // metrics.validation: the queries as deployed
        json imageMap;       // metrics.image_map; null when the method has none
    };

    Deployed deployedOnValidation(std::unique_ptr<CompatibilityAdapter> adapter, const Matrix& mappedTexts,
                                  const Matrix& mappedImages)
    {
        Deployed d;
        d.validation = interpolationOf(*adapter, mappedTexts, mappedImages, &d.interpolation);
        d.adapter = std::move(adapter);
        if (imageMapWanted())
            decideImageMap(d, mappedTexts, mappedImages);
        return d;
    }

    // The same for an adapter whose queries are its own maps of the
    // validation split's embeddings (no adapted image tower).
    Deployed deployedOnValidation(std::unique_ptr<CompatibilityAdapter> adapter)
    {
        const Matrix texts = adapter->mapTexts(validation_.newTexts());
        const Matrix images = adapter->mapImages(validation_.newSpace().images);
        return deployedOnValidation(std::move(adapter), texts, images);
    }

    void commit(const Deployed& d)
    {
        if (!d.imageMap.is_null()) {
            metrics_["image_map"] = d.imageMap;
            report("image map", d.imageMap.at("reason").get<std::string>());
        }
        metrics_["interpolation"] = d.interpolation;
        metrics_["validation"] = d.validation;
        report("interpolation", "queries interpolated with the old model's: " +
                                    d.adapter->info().interpolation.describe() + " (" +
                                    d.adapter->info().interpolation.chosenBy + ")");
    }

    // R@1 + R@5 + R@10 of a validation report's adapted configuration in one
    // direction, and whether it is above old->old at every K there.
    struct DirectionScore {
        double sum = 0.0;
        bool above = false;
    };
    // The criterion's order in one direction: above today's at every K first, then the recall sum.
    static bool better(const DirectionScore& a, const DirectionScore& b)
    {
        return a.above != b.above ? a.above : a.sum > b.sum;
    }
    static DirectionScore directionScore(const json& report, const char* direction)
    {
        const std::string adapted = report.at("criterion").at("configuration").get<std::string>();
        const json& a = report.at("configurations").at(adapted).at(direction);
        const json& o = report.at("configurations").at("old->old").at(direction);
        DirectionScore d;
        d.above = true;
        for (const char* k : {"R@1", "R@5", "R@10"}) {
            d.sum += a.at(k).get<double>();
            d.above = d.above && a.at(k).get<double>() > o.at(k).get<double>();
        }
        return d;
    }

    // A candidate for image queries, scored on validation image-to-text as
    // deployed (its interpolation chosen for it); `row` is its line in
    // metrics.image_map.
    struct ImageQueryCandidate {
        Deployed deployed;
        DirectionScore score;
        json row;
    };

    ImageQueryCandidate scoreImageQueries(std::unique_ptr<CompatibilityAdapter> adapter, const Matrix& mappedTexts,
                                          const Matrix& images)
    {
        ImageQueryCandidate c;
        c.deployed.adapter = std::move(adapter);
        c.deployed.validation =
            interpolationOf(*c.deployed.adapter, mappedTexts, images, &c.deployed.interpolation);
        c.score = directionScore(c.deployed.validation, "I2T");
        const InterpolationSide& side = c.deployed.adapter->info().interpolation.images;
        c.row = {{"i2t_recall_sum", c.score.sum},
                 {"i2t_above_today", c.score.above},
                 {"interpolation", {{"kind", interpolationKindName(side.kind)}, {"weight", side.weight}}}};
        return c;
    }

    // psi alone for each ridge of image_map_ridge_grid; the best on
    // validation, its ridge, weights and mapped validation images. Every
    // ridge's row goes to `tried`.
    struct PsiAlone {
        ImageQueryCandidate best;
        double ridge = 0.0;
        const ProjectionWeights* psi = nullptr;  // in psiCandidates_
        Matrix images;                           // psi of the validation images
    };

    PsiAlone bestPsiAlone(const CompatibilityAdapter& adapter, const Matrix& mappedTexts, json& tried)
    {
        PsiAlone out;
        for (const auto& [ridge, weights] : psiCandidates()) {
            std::unique_ptr<CompatibilityAdapter> candidate = withImageMap(adapter, weights, 1.0);
            Matrix images = candidate->mapImages(validation_.newSpace().images);
            ImageQueryCandidate c = scoreImageQueries(std::move(candidate), mappedTexts, images);
            json row = c.row;
            row["ridge"] = ridge;
            tried.push_back(row);
            if (!out.psi || better(c.score, out.best.score)) {
                out.best = std::move(c);
                out.ridge = ridge;
                out.psi = &weights;
                out.images = std::move(images);
            }
        }
        return out;
    }

    // Tries psi for each ridge and keeps the one validation image-to-text
    // likes best alone (as deployed: interpolation chosen for it); then
    // mixes it with phi and the image side at each share of
    // image_map_share_grid (1: psi alone). Image queries take the best mix
    // when image_map is on, or (auto) when it is better than phi and the
    // image side alone by the criterion: above today's at every K, then the
    // recall sum. Texts and their interpolation are the same either way.
    void decideImageMap(Deployed& d, const Matrix& mappedTexts, const Matrix& phiImages)
    {
        const bool on = settings_.text("image_map") == "on";
        if (corpusOld_.rows == 0 && !on) {
            d.imageMap = {{"setting", "auto"},
                          {"kept", false},
                          {"reason", "image map skipped: the corpus's old embeddings are not available (no corpus "
                                     "given, or stage1_adapter was trained on another corpus)"}};
            return;
        }
        json tried = json::array();
        const PsiAlone alone = bestPsiAlone(*d.adapter, mappedTexts, tried);
        const double bestRidge = alone.ridge;
        json shares = json::array();
        ImageQueryCandidate best;
        double bestShare = 1.0;
        for (double share : settings_.numbers("image_map_share_grid")) {
            ImageQueryCandidate c;
            if (share >= 1.0) {  // psi alone: measured above
                c.deployed.adapter = std::make_unique<CompatibilityAdapter>(*alone.best.deployed.adapter);
                c.deployed.validation = alone.best.deployed.validation;
                c.deployed.interpolation = alone.best.deployed.interpolation;
                c.score = alone.best.score;
                c.row = alone.best.row;
            } else {
                c = scoreImageQueries(withImageMap(*d.adapter, *alone.psi, share), mappedTexts,
                                      interpolateRows(phiImages, alone.images, share, InterpolationKind::Linear));
            }
            c.row["share"] = share;
            shares.push_back(c.row);
            if (!best.deployed.adapter || better(c.score, best.score)) {
                best = std::move(c);
                bestShare = share;
            }
        }
        const DirectionScore& bestScore = best.score;
        const DirectionScore phiScore = directionScore(d.validation, "I2T");
        const bool keep = on || better(bestScore, phiScore);
        const auto describe = [](const DirectionScore& s) {
            return json(std::round(s.sum * 1000.0) / 1000.0).dump() +
                   (s.above ? " (above today's at every K)" : " (not above today's at every K)");
        };
        const std::string with = bestShare >= 1.0 ? "the image map alone"
                                                   : "the image map mixed in at share " + json(bestShare).dump();
        const std::string reason =
            std::string(keep ? (bestShare >= 1.0 ? "image queries go through the image map"
                                                 : "image queries mix the image map (share " + json(bestShare).dump() +
                                                       ") with phi")
                             : "image queries keep phi") +
            ": validation I2T R@1+R@5+R@10 " + describe(bestScore) + " with " + with + " (ridge " +
            json(bestRidge).dump() + "), " + describe(phiScore) + " with phi alone" + (on ? "; image_map is on" : "");
        const json metrics = {{"setting", settings_.text("image_map")},
                              {"tried", tried},
                              {"shares", shares},
                              {"phi", {{"i2t_recall_sum", phiScore.sum}, {"i2t_above_today", phiScore.above}}},
                              {"ridge", bestRidge},
                              {"share", bestShare},
                              {"kept", keep},
                              {"reason", reason}};
        if (keep)
            d = std::move(best.deployed);
        d.imageMap = metrics;
    }

    // Stage 2 is kept only when validation does not say it made a direction
    // worse than stage 1, both as deployed (interpolation and the image map
    // decided for each first: when both stages' image queries take the
    // image map, only text-to-image tells them apart). When it did, the
    // better of the two by the criterion (directions above today, then the
    // sum of recalls) is kept, and the run says so.
    Deployed keepBetterStage(Deployed stage1, Deployed stage2)
    {
        std::string worse;
        int above1 = 0, above2 = 0;
        double sum1 = 0.0, sum2 = 0.0;
        for (const char* direction : {"T2I", "I2T"}) {
            const DirectionScore s1 = directionScore(stage1.validation, direction);
            const DirectionScore s2 = directionScore(stage2.validation, direction);
            if (s2.sum < s1.sum)
                worse += std::string(worse.empty() ? "" : " and ") + direction;
            above1 += s1.above;
            above2 += s2.above;
            sum1 += s1.sum;
            sum2 += s2.sum;
        }
        const bool keepStage1 = !worse.empty() && (above1 > above2 || (above1 == above2 && sum1 > sum2));
        std::string reason;
        if (worse.empty())
            reason = "stage 2 is at least as good as stage 1 on validation in both directions";
        else
            reason = "stage 2 made " + worse + " worse than stage 1 on validation (R@1+R@5+R@10, interpolation "
                     "included); kept " + (keepStage1 ? "stage 1 (the image side is dropped)" : "stage 2, better overall") +
                     ": directions above today " + std::to_string(above1) + " (stage 1) vs " + std::to_string(above2) +
                     " (stage 2), recall sums " + json(sum1).dump() + " vs " + json(sum2).dump();
        metrics_["stage_choice"] = {{"kept", keepStage1 ? "stage 1" : "stage 2"}, {"reason", reason}};
        report("stage choice", reason);
        return keepStage1 ? std::move(stage1) : std::move(stage2);
    }

    std::unique_ptr<CompatibilityAdapter> trainFct()
    {
        const AlignedSplit pairs = alignSplit(*pairs_, {&*pairsOld_, &*pairsNew_});
        const bool texts = settings_.flag("corpus_texts");
        data_["fitted_rows"] = {{"pair_images", pairs.images[0].rows}, {"corpus_sentences", texts ? corpusOld_.rows : 0}};
        if (!request_.gallery.empty())
            data_["gallery"] = request_.gallery;
        const FctSettings settings = FctSettings::from(settings_);
        // h's inputs: the old embeddings, with each item's side information
        // appended when asked (computed from the files and sentences, as
        // indexing computes what it stores).
        Matrix imagesIn = pairs.images[0], textsIn = texts ? corpusOld_ : Matrix();
        GalleryInput validationIn{validation_.oldSpace().images, validation_.oldSpace().texts};
        const SideInformationUse use = settings.sideInformation;
        if (use.captions && !texts)
            throw Error("fct: side_information " + use.name() + " needs corpus_texts true (h learns the caption "
                        "gallery's transform, and what captions' side information says, from the corpus sentences)");
        if (use.any()) {
            report("side information", "computing the side information (" + use.name() + ") of the pairs" +
                                           std::string(texts ? " and the corpus sentences" : ""));
            data_["side_information"] = SideInformationSpec::toJson(use);
            imagesIn =
                withImageSideInformation(imagesIn, sideInformationOfSplit(pairs.split, {use.images, false}).images);
            if (texts)
                textsIn =
                    withTextSideInformation(textsIn, use.captions ? textSideInformation(corpus_->sentences) : Matrix());
            if (validation_.hasSplit()) {
                const SplitSideInformation side = sideInformationOfSplit(validation_.split(), use);
                validationIn = {withImageSideInformation(validationIn.images, side.images),
                                withTextSideInformation(validationIn.texts, side.texts)};
            }
        }
        FctTrainer trainer(settings, device_);
        const FctOutcome out = trainer.train(imagesIn, pairs.images[1], textsIn, texts ? corpusNew_ : Matrix(),
                                             validation_, validationIn, hooksFor("fct", "fct"));
        resumedFrom_ = out.loop.resumedFromStep;
        metrics_["fct"] = {{"steps", settings.optimizer.steps},
                           {"final_loss", out.loop.lastLoss},
                           {"seconds", out.loop.seconds}};
        AdapterInfo info;
        info.kind = AdapterKind::Gallery;
        info.data = data_;
        auto adapter = std::make_unique<CompatibilityAdapter>(info, out.transform);
        if (validation_.hasSplit())
            metrics_["validation"] = validation_.galleryReport(out.validationImages, out.validationTexts);
        return adapter;
    }

    const AdapterTrainingProbes& probes_;
    const AdapterTrainRequest& request_;
    AdapterProgressCallback progress_;
    CancelToken cancel_;
    std::optional<WorkspaceLock> adapterLock_;
    std::string method_, name_;
    json config_;
    AdapterSettingsReader settings_;
    torch::Device device_;
    CorpusEmbeddingCache cache_;
    ModelOptions options_;
    EmbedOptions embedOptions_;
    uint64_t seed_ = 0;

    std::optional<TextCorpus> corpus_;
    std::optional<CaptionedSplit> pairs_, validationSplit_;
    std::shared_ptr<CompatibilityAdapter> stage1Adapter_;
    std::unique_ptr<EmbeddingModel> newModel_, oldModel_;
    ModelRef oldRef_, newRef_;
    Matrix corpusOld_, corpusNew_;
    std::optional<SplitEmbeddings> pairsOld_, pairsNew_;
    std::optional<CaptionedSplit> unlabeled_;  // images only (--unlabeled)
    std::optional<SplitEmbeddings> unlabeledOld_, unlabeledNew_;
    AdapterValidation validation_;

    json identity_;
    std::string checkpointRoot_;
    json data_ = json::object();
    json metrics_ = json::object();
    std::vector<std::pair<double, ProjectionWeights>> psiCandidates_;  // see psiCandidates()
    int64_t resumedFrom_ = 0;
};

}  // namespace

AdapterTrainResult runAdapterTraining(const AdapterTrainRequest& request, const AdapterProgressCallback& progress,
                                      const CancelToken& cancel, const AdapterTrainingProbes& probes)
{
    return AdapterTrainingRun(request, progress, cancel, probes).run();
}

}  // namespace xbt

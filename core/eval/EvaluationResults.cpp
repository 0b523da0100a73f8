#include "core/eval/EvaluationResults.h"

#include "core/eval/UpgradePaths.h"
#include "core/util/Error.h"

#include <filesystem>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace xbt {

namespace {

const EmbeddingSpace* spaceOf(const std::vector<EmbeddingSpace>& spaces, SpaceKind kind)
{
    for (const EmbeddingSpace& s : spaces)
        if (s.kind == kind)
            return &s;
    return nullptr;
}

CompatibilityDirection compareDirection(const RecallSummary& adapted, const RecallSummary& today,
                                        const RecallSummary& backfill)
{
    CompatibilityDirection d;
    d.available = true;
    d.r1 = compatibilityVerdict(adapted.r1, adapted.ci1, today.r1, today.ci1);
    d.r5 = compatibilityVerdict(adapted.r5, adapted.ci5, today.r5, today.ci5);
    d.r10 = compatibilityVerdict(adapted.r10, adapted.ci10, today.r10, today.ci10);
    d.g1 = gainRecovery(adapted.r1, today.r1, backfill.r1);
    d.g5 = gainRecovery(adapted.r5, today.r5, backfill.r5);
    d.g10 = gainRecovery(adapted.r10, today.r10, backfill.r10);
    return d;
}

void addCeilingGain(CompatibilityDirection& d, const RecallSummary& adapted, const RecallSummary& today,
                    const RecallSummary& ceiling)
{
    d.gc1 = gainRecovery(adapted.r1, today.r1, ceiling.r1);
    d.gc5 = gainRecovery(adapted.r5, today.r5, ceiling.r5);
    d.gc10 = gainRecovery(adapted.r10, today.r10, ceiling.r10);
}

// Every configuration's negative flips against old->old, where both rank the
// same queries, with the flipped queries named (captions, image paths).
void addNegativeFlips(EvaluationOutcome& out, const CaptionedSplit& split)
{
    const ConfigurationResult* today = out.find(ConfigurationRole::Today);
    if (!today)
        return;
    for (ConfigurationResult& c : out.configurations) {
        if (!c.comparable)
            continue;
        for (RetrievalDirection d : kRetrievalDirections) {
            const std::vector<int64_t>& ranks = c.recall.in(d).ranks;
            const std::vector<int64_t>& todayRanks = today->recall.in(d).ranks;
            if (!c.has(d) || !today->has(d) || ranks.size() != todayRanks.size())
                continue;
            DirectionFlips f = directionFlips(todayRanks, ranks);
            const bool texts = d == RetrievalDirection::TextToImage;
            for (size_t q : flippedQueries(todayRanks, ranks, 1)) {
                if (f.flippedAt1.size() >= kMaxListedFlips)
                    break;
                if (texts && q < split.captions.size())
                    f.flippedAt1.push_back(split.captions[q]);
                else if (!texts && q < split.images.size())
                    f.flippedAt1.push_back((std::filesystem::path(split.root) / split.images[q]).string());
            }
            (texts ? c.negativeFlips.textToImage : c.negativeFlips.imageToText) = std::move(f);
        }
    }
}

// "<adapter row>+rerank@K" for each K asked for, right after the adapter's row.
void addReranked(EvaluationOutcome& out, const EmbeddingSpace& adapted, const EmbeddingSpace& old,
                 const EmbeddingSpace& fresh, const CaptionedSplit& split, const EvaluationOptions& options)
{
    if (options.rerankK.empty() || adapted.dims() != old.dims() || fresh.images.rows != adapted.images.rows)
        return;
    const ConfigurationResult base = out.configurations.back();
    const TwoSpaceScores t2i = twoSpaceScores(RetrievalDirection::TextToImage, adapted, old, fresh, split);
    const TwoSpaceScores i2t = twoSpaceScores(RetrievalDirection::ImageToText, adapted, old, fresh, split);
    for (int k : options.rerankK) {
        ConfigurationResult r;
        r.name = base.name + "+rerank@" + std::to_string(k);
        r.querySpace = base.querySpace;
        r.gallerySpace = base.gallerySpace;
        r.role = ConfigurationRole::Rerank;
        r.adapter = base.adapter;
        r.rerankK = k;
        r.hasTextToImage = base.hasTextToImage;
        r.hasImageToText = base.hasImageToText;
        r.recall.textToImage = recallFromRanks(rerankedRanks(t2i, k), t2i.firstStage.cols, options.maxK);
        r.recall.imageToText = recallFromRanks(rerankedRanks(i2t, k), i2t.firstStage.cols, options.maxK);
        r.textToImage = summarizeRanks(r.recall.textToImage.ranks, nullptr, options.bootstrap);
        r.imageToText = summarizeRanks(r.recall.imageToText.ranks, nullptr, options.bootstrap);
        r.imagesPerQuery = std::min<int64_t>(k, t2i.firstStage.cols);
        r.imagesOnce = rerankedImages(t2i, k);
        r.note = "re-ranking re-embeds " + std::to_string(r.imagesPerQuery) +
                 " images per text query (image queries re-embed captions, which are texts: cheap); " +
                 std::to_string(r.imagesOnce) + " distinct images over all queries";
        out.configurations.push_back(std::move(r));
    }
}

void addCompatibility(EvaluationOutcome& out)
{
    const ConfigurationResult* today = out.find(ConfigurationRole::Today);
    const ConfigurationResult* backfill = out.find(ConfigurationRole::Backfill);
    const ConfigurationResult* ceiling = out.find(ConfigurationRole::Ceiling);
    if (!today || !backfill)
        return;
    for (const ConfigurationResult& c : out.configurations) {
        if (!c.comparable || (c.role != ConfigurationRole::Adapter && c.role != ConfigurationRole::GalleryTransform &&
                              c.role != ConfigurationRole::Compatible))
            continue;
        CompatibilityEntry e{c.adapter, c.name, {}, {}};
        if (c.hasTextToImage && today->hasTextToImage && backfill->hasTextToImage) {
            e.textToImage = compareDirection(c.textToImage, today->textToImage, backfill->textToImage);
            if (ceiling && ceiling->hasTextToImage)
                addCeilingGain(e.textToImage, c.textToImage, today->textToImage, ceiling->textToImage);
        }
        if (c.hasImageToText && today->hasImageToText && backfill->hasImageToText) {
            e.imageToText = compareDirection(c.imageToText, today->imageToText, backfill->imageToText);
            if (ceiling && ceiling->hasImageToText)
                addCeilingGain(e.imageToText, c.imageToText, today->imageToText, ceiling->imageToText);
        }
        out.compatibility.push_back(e);
    }
}

}  // namespace

CriterionVerdict CompatibilityDirection::verdictAt(int k) const
{
    switch (k) {
    case 1: return r1;
    case 5: return r5;
    case 10: return r10;
    }
    throw Error("the compatibility criterion is judged at R@1, R@5 and R@10, not R@" + std::to_string(k));
}

const std::optional<double>& CompatibilityDirection::gainAt(int k) const
{
    switch (k) {
    case 1: return g1;
    case 5: return g5;
    case 10: return g10;
    }
    throw Error("gain recovery is measured at R@1, R@5 and R@10, not R@" + std::to_string(k));
}

const CompatibilityDirection& CompatibilityEntry::in(RetrievalDirection d) const
{
    return d == RetrievalDirection::TextToImage ? textToImage : imageToText;
}

const std::vector<std::vector<std::optional<double>>>& CompatibilityMatrix::in(RetrievalDirection d) const
{
    return d == RetrievalDirection::TextToImage ? textToImage : imageToText;
}

const ConfigurationResult* EvaluationOutcome::find(ConfigurationRole role) const
{
    for (const ConfigurationResult& c : configurations)
        if (c.role == role && c.comparable)
            return &c;
    return nullptr;
}

const EmbeddingSpace* EvaluationOutcome::findSpace(SpaceKind kind) const { return spaceOf(spaces, kind); }

const ConfigurationResult* EvaluationOutcome::findConfiguration(const std::string& name) const
{
    for (const ConfigurationResult& c : configurations)
        if (c.name == name)
            return &c;
    return nullptr;
}

EvaluationOutcome evaluateSpaces(const std::vector<EmbeddingSpace>& spaces, const CaptionedSplit& split,
                                 const EvaluationOptions& options)
{
    const EmbeddingSpace* oldSpace = spaceOf(spaces, SpaceKind::Old);
    const EmbeddingSpace* newSpace = spaceOf(spaces, SpaceKind::New);
    if (!oldSpace || !newSpace)
        throw Error("an evaluation needs an old and a new embedding space");
    EvaluationOutcome out;
    out.splitFolder = split.root;
    out.images = static_cast<int64_t>(split.images.size());
    out.captions = static_cast<int64_t>(split.captions.size());
    if (split.hasCategories())
        out.categories = split.categories();
    out.tieRule = kTieRuleDescription;
    out.options = options;
    const auto run = [&](const EmbeddingSpace& q, const EmbeddingSpace& g, ConfigurationRole role,
                         const std::string& adapter) {
        ConfigurationResult r = evaluateConfiguration(q, g, split, options.maxK, options.bootstrap);
        r.role = role;
        r.adapter = adapter;
        return r;
    };
    // A model that declares itself compatible with the old one searches the
    // old gallery with its comparable part (a real configuration); any other
    // is the raw, incompatible comparison.
    const auto againstOld = [&](const EmbeddingSpace& model) {
        if (!model.compatibleWith.empty() && model.compatibleWith == oldSpace->fingerprint)
            return run(oldComparablePart(model), *oldSpace, ConfigurationRole::Compatible, model.model);
        return run(model, *oldSpace, ConfigurationRole::Raw, "");
    };
    out.configurations.push_back(run(*oldSpace, *oldSpace, ConfigurationRole::Today, ""));
    out.configurations.push_back(run(*newSpace, *newSpace, ConfigurationRole::Backfill, ""));
    out.configurations.push_back(againstOld(*newSpace));
    for (const EmbeddingSpace& s : spaces) {
        if (s.kind == SpaceKind::QueryAdapter) {
            out.configurations.push_back(run(s, *oldSpace, ConfigurationRole::Adapter, s.adapter));
            addReranked(out, s, *oldSpace, *newSpace, split, options);
        }
        else if (s.kind == SpaceKind::Ceiling) {
            out.configurations.push_back(run(s, *oldSpace, ConfigurationRole::Ceiling, ""));
            out.tieBound = galleryTieBound(oldSpace->name, oldSpace->images, oldSpace->texts, split.captionImage);
        }
        else if (s.kind == SpaceKind::GalleryTransform)
            out.configurations.push_back(run(*newSpace, s, ConfigurationRole::GalleryTransform, s.adapter));
    }
    for (const EmbeddingSpace& s : spaces) {
        if (s.kind != SpaceKind::Compared)
            continue;
        out.configurations.push_back(againstOld(s));
        out.configurations.push_back(run(s, s, ConfigurationRole::Compared, ""));
    }
    addCompatibility(out);
    addNegativeFlips(out, split);

    // The matrix: every query space against every gallery space. Cells that
    // are configurations above reuse their numbers.
    std::vector<const EmbeddingSpace*> rows, columns;
    for (const EmbeddingSpace& s : spaces) {
        if (s.kind == SpaceKind::Ceiling)
            continue;  // a diagnostic, not a space anyone deploys
        if (s.kind != SpaceKind::GalleryTransform)
            rows.push_back(&s);
        if (s.kind != SpaceKind::QueryAdapter)
            columns.push_back(&s);
    }
    for (const EmbeddingSpace* r : rows)
        out.matrix.rows.push_back(r->name);
    for (const EmbeddingSpace* c : columns)
        out.matrix.columns.push_back(c->name);
    for (const EmbeddingSpace* r : rows) {
        std::vector<std::optional<double>> t2i, i2t;
        for (const EmbeddingSpace* c : columns) {
            const ConfigurationResult* known = nullptr;
            for (const ConfigurationResult& cr : out.configurations)
                if (cr.querySpace == r->name && cr.gallerySpace == c->name && cr.role != ConfigurationRole::Rerank)
                    known = &cr;
            ConfigurationResult computed;
            if (!known && r->dims() == c->dims()) {
                computed = evaluateConfiguration(*r, *c, split, 1, {0, 0, 0.95});
                known = &computed;
            }
            const bool ok = known && known->comparable;
            t2i.push_back(ok && known->hasTextToImage ? std::optional<double>(known->textToImage.r1) : std::nullopt);
            i2t.push_back(ok && known->hasImageToText ? std::optional<double>(known->imageToText.r1) : std::nullopt);
        }
        out.matrix.textToImage.push_back(t2i);
        out.matrix.imageToText.push_back(i2t);
    }

    for (const EmbeddingSpace& s : spaces) {
        EmbeddingSpace description = s;
        description.images = {};
        description.texts = {};
        out.spaces.push_back(description);
        out.spaceDims.push_back(s.dims());
    }
    out.backfill.galleryImages = out.images;
    out.backfill.imagesPerSecond = newSpace->imagesPerSecond;
    if (newSpace->imagesPerSecond > 0) {
        out.backfill.seconds = static_cast<double>(out.images) / newSpace->imagesPerSecond;
        std::ostringstream note;
        note << "re-embedding this split's " << out.images
             << " images with the new model on this machine; a 10-million-image gallery would take " << std::fixed
             << std::setprecision(1) << 1e7 / newSpace->imagesPerSecond / 3600.0 << " h at this rate";
        out.backfill.note = note.str();
    }
    return out;
}

}  // namespace xbt

namespace xbt {

std::pair<std::string, std::string> bestBackfillSeries(const BackfillCurve& validation)
{
    std::pair<std::string, std::string> best;
    double bestScore = -1.0;
    for (const BackfillSeries& s : validation.series) {
        double sum = 0.0;
        int n = 0;
        for (const BackfillPoint& p : s.points)
            if (p.fraction > 0.0 && p.fraction < 1.0) {
                sum += p.textToImage.r1 + p.imageToText.r1;
                ++n;
            }
        if (n > 0 && sum / n > bestScore) {
            bestScore = sum / n;
            best = {s.order, s.mix};
        }
    }
    return best;
}

BackfillCurve evaluateBackfillCurve(const std::vector<EmbeddingSpace>& spaces, const std::string& adapter,
                                    const CaptionedSplit& split, const Matrix& logQueries,
                                    const std::vector<double>& fractions, const BackfillCalibration* calibration,
                                    const BootstrapOptions& bootstrap)
{
    const EmbeddingSpace* old = spaceOf(spaces, SpaceKind::Old);
    const EmbeddingSpace* fresh = spaceOf(spaces, SpaceKind::New);
    const EmbeddingSpace* adapted = nullptr;
    for (const EmbeddingSpace& s : spaces)
        if (s.kind == SpaceKind::QueryAdapter && s.adapter == adapter)
            adapted = &s;
    if (!old || !fresh || !adapted)
        throw Error("backfill curve: no query adapter '" + adapter + "' among the evaluated spaces");
    BackfillCurve curve;
    curve.adapter = adapter;
    if (calibration)
        curve.calibration = calibration->fittedOn;
    const TwoSpaceScores t2i = twoSpaceScores(RetrievalDirection::TextToImage, *adapted, *old, *fresh, split);
    const TwoSpaceScores i2t = twoSpaceScores(RetrievalDirection::ImageToText, *adapted, *old, *fresh, split);
    std::vector<BackfillOrder> orders = {BackfillOrder::Random, BackfillOrder::Crowding};
    if (logQueries.rows > 0)
        orders.push_back(BackfillOrder::Queries);
    const int64_t images = old->images.rows;
    for (BackfillOrder order : orders) {
        const std::vector<int64_t> sequence = backfillOrder(order, old->images, logQueries, 0);
        for (const bool calibrated : {false, true}) {
            if (calibrated && !calibration)
                continue;
            const ScoreCalibration t2iMix = calibrated ? calibration->textToImage : ScoreCalibration{};
            const ScoreCalibration i2tMix = calibrated ? calibration->imageToText : ScoreCalibration{};
            BackfillSeries series;
            series.order = backfillOrderName(order);
            series.mix = calibrated ? "calibrated" : "raw";
            for (double fraction : fractions) {
                std::vector<char> backfilled(static_cast<size_t>(images), 0);
                const int64_t count = static_cast<int64_t>(std::llround(fraction * static_cast<double>(images)));
                for (int64_t i = 0; i < count && i < images; ++i)
                    backfilled[static_cast<size_t>(sequence[static_cast<size_t>(i)])] = 1;
                BackfillPoint p;
                p.fraction = fraction;
                p.textToImage = summarizeRanks(mixedRanks(t2i, backfilled, t2iMix), nullptr, bootstrap);
                p.imageToText = summarizeRanks(mixedRanks(i2t, backfilled, i2tMix), nullptr, bootstrap);
                series.points.push_back(p);
            }
            curve.series.push_back(std::move(series));
        }
    }
    return curve;
}

}  // namespace xbt

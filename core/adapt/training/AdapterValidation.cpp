#include "core/adapt/training/AdapterValidation.h"

#include "core/eval/CompatibilityCriterion.h"
#include "core/eval/RetrievalRecall.h"

#include <numeric>
#include <sstream>

namespace xbt {

using nlohmann::json;

double ValidationRecall::score() const
{
    double sum = 0.0;
    int n = 0;
    for (double v : {textToImage, imageToText, textToText})
        if (v >= 0.0) {
            sum += v;
            ++n;
        }
    return n == 0 ? -1.0 : sum / n;
}

std::string ValidationRecall::describe() const
{
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(1);
    if (textToImage >= 0.0)
        s << "T2I R@1 " << 100.0 * textToImage << "%, I2T R@1 " << 100.0 * imageToText << "%";
    if (textToText >= 0.0)
        s << (textToImage >= 0.0 ? ", " : "") << "text->text R@1 " << 100.0 * textToText << "%";
    return s.str();
}

AdapterValidation AdapterValidation::onSplit(CaptionedSplit split, EmbeddingSpace oldSpace, EmbeddingSpace newSpace)
{
    AdapterValidation v;
    v.split_ = std::move(split);
    v.old_ = std::move(oldSpace);
    v.new_ = std::move(newSpace);
    return v;
}

AdapterValidation AdapterValidation::onHeldOutTexts(Matrix newTexts, Matrix oldTexts)
{
    AdapterValidation v;
    v.heldOutNew_ = std::move(newTexts);
    v.heldOutOld_ = std::move(oldTexts);
    return v;
}

ValidationRecall AdapterValidation::queryRecall(const Matrix& mappedTexts, const Matrix& mappedImages) const
{
    ValidationRecall r;
    if (hasSplit()) {
        const RetrievalRecall rr =
            computeCrossRecall(mappedTexts, old_.images, mappedImages, old_.texts, split_.captionImage, 1);
        r.textToImage = rr.textToImage.recallAt(1);
        r.imageToText = rr.imageToText.recallAt(1);
    } else if (!heldOutNew_.empty()) {
        // Each held-out sentence is its own "image": T2I of this setup is text->text.
        std::vector<int64_t> truth(static_cast<size_t>(mappedTexts.rows));
        std::iota(truth.begin(), truth.end(), 0);
        r.textToText = computeRetrievalRecall(heldOutOld_, mappedTexts, truth, 1).textToImage.recallAt(1);
    }
    return r;
}

ValidationRecall AdapterValidation::galleryRecall(const Matrix& transformedImages, const Matrix& transformedTexts) const
{
    ValidationRecall r;
    if (!hasSplit())
        return r;
    const RetrievalRecall rr =
        computeCrossRecall(new_.texts, transformedImages, new_.images, transformedTexts, split_.captionImage, 1);
    r.textToImage = rr.textToImage.recallAt(1);
    r.imageToText = rr.imageToText.recallAt(1);
    return r;
}

namespace {

json summary(const RecallSummary& s) { return {{"R@1", s.r1}, {"R@5", s.r5}, {"R@10", s.r10}}; }

json interval(const Interval& i) { return json::array({i.low, i.high}); }

json configurationJson(const ConfigurationResult& r)
{
    json out;
    for (const auto& [direction, s] : {std::pair<const char*, const RecallSummary*>{"T2I", &r.textToImage},
                                       std::pair<const char*, const RecallSummary*>{"I2T", &r.imageToText}})
        out[direction] = {{"R@1", s->r1},          {"R@5", s->r5},          {"R@10", s->r10},
                          {"R@1_ci", interval(s->ci1)}, {"R@5_ci", interval(s->ci5)}, {"R@10_ci", interval(s->ci10)}};
    return out;
}

}  // namespace

json AdapterValidation::report(const EmbeddingSpace& query, const EmbeddingSpace& gallery) const
{
    const ConfigurationResult oldOld = evaluateConfiguration(old_, old_, split_, 10);
    const ConfigurationResult newNew = evaluateConfiguration(new_, new_, split_, 10);
    const ConfigurationResult adapted = evaluateConfiguration(query, gallery, split_, 10);
    json verdicts = json::object();
    json gain = json::object();
    bool met = true;
    using Member = const RecallSummary ConfigurationResult::*;
    for (const auto& [direction, member] :
         {std::pair<const char*, Member>{"T2I", &ConfigurationResult::textToImage},
          std::pair<const char*, Member>{"I2T", &ConfigurationResult::imageToText}}) {
        const RecallSummary& a = adapted.*member;
        const RecallSummary& o = oldOld.*member;
        const RecallSummary& n = newNew.*member;
        struct K {
            const char* name;
            double RecallSummary::*value;
            Interval RecallSummary::*ci;
        };
        for (const K& k : {K{"R@1", &RecallSummary::r1, &RecallSummary::ci1}, K{"R@5", &RecallSummary::r5, &RecallSummary::ci5},
                           K{"R@10", &RecallSummary::r10, &RecallSummary::ci10}}) {
            const CriterionVerdict v = compatibilityVerdict(a.*k.value, a.*k.ci, o.*k.value, o.*k.ci);
            met = met && a.*k.value > o.*k.value;
            verdicts[direction][k.name] = verdictName(v);
            const std::optional<double> g = gainRecovery(a.*k.value, o.*k.value, n.*k.value);
            gain[direction][k.name] = g ? json(*g) : json(nullptr);
        }
    }
    json flips = json::object();
    for (const auto& [direction, d] : {std::pair<const char*, RetrievalDirection>{"T2I", RetrievalDirection::TextToImage},
                                       std::pair<const char*, RetrievalDirection>{"I2T", RetrievalDirection::ImageToText}})
        if (adapted.has(d) && oldOld.has(d)) {
            const DirectionFlips f = directionFlips(oldOld.recall.in(d).ranks, adapted.recall.in(d).ranks);
            flips[direction] = {{"R@1", f.at1}, {"R@10", f.at10}};
        }
    return {{"split", split_.root},
            {"images", split_.images.size()},
            {"captions", split_.captions.size()},
            {"configurations",
             {{oldOld.name, configurationJson(oldOld)},
              {newNew.name, configurationJson(newNew)},
              {adapted.name, configurationJson(adapted)}}},
            // "met": better than old->old at every K in both directions (the
            // point values); the verdicts say where the intervals overlap.
            {"criterion", {{"configuration", adapted.name}, {"verdicts", verdicts}, {"met", met}}},
            {"gain_recovery", gain},
            {"negative_flips", flips},
            // Which tie rule ranked these figures (an adapter trained by an
            // earlier build compared tied scores exactly: AdapterRecommendation.h).
            {"tie_rule", kTieRuleDescription}};
}

json AdapterValidation::queryReport(const Matrix& mappedTexts, const Matrix& mappedImages) const
{
    if (!hasSplit()) {
        if (heldOutNew_.empty())
            return json::object();
        std::vector<int64_t> truth(static_cast<size_t>(mappedTexts.rows));
        std::iota(truth.begin(), truth.end(), 0);
        const RecallSummary s =
            summarizeRanks(computeRetrievalRecall(heldOutOld_, mappedTexts, truth, 10).textToImage.ranks);
        return {{"held_out_sentences", heldOutNew_.rows}, {"text->text (new+phi->old)", summary(s)}};
    }
    EmbeddingSpace adapted = new_;
    adapted.kind = SpaceKind::QueryAdapter;
    adapted.name = "new+phi";
    adapted.fingerprint = old_.fingerprint;  // mapped into the old space
    adapted.texts = mappedTexts;
    adapted.images = mappedImages;
    return report(adapted, old_);
}

json AdapterValidation::galleryReport(const Matrix& transformedImages, const Matrix& transformedTexts) const
{
    if (!hasSplit())
        return json::object();
    EmbeddingSpace transformed = old_;
    transformed.kind = SpaceKind::GalleryTransform;
    transformed.name = "transformed-old";
    transformed.fingerprint = new_.fingerprint;  // moved into the new space
    transformed.images = transformedImages;
    transformed.texts = transformedTexts;
    return report(new_, transformed);
}

}  // namespace xbt

#include "ui/workbench/DemoHeadline.h"

#include "core/eval/EvaluationJson.h"
#include "core/pipeline/UpgradeSession.h"
#include "core/workspace/WorkspaceLayout.h"

#include <QCoreApplication>

#include <algorithm>
#include <filesystem>
#include <vector>

namespace xbt::ui {

namespace fs = std::filesystem;

namespace {

bool sameUpgrade(const EvaluationOutcome& r, const std::string& oldFingerprint, const std::string& newFingerprint)
{
    const EmbeddingSpace* oldModel = r.findSpace(SpaceKind::Old);
    const EmbeddingSpace* newModel = r.findSpace(SpaceKind::New);
    // Unknown fingerprints (a workspace whose models do not load) cannot
    // rule a file out.
    return oldModel && newModel && (oldFingerprint.empty() || oldModel->fingerprint == oldFingerprint) &&
           (newFingerprint.empty() || newModel->fingerprint == newFingerprint);
}

std::optional<EvaluationOutcome> readFile(const std::string& path)
{
    try {
        return readEvaluationFile(path);
    } catch (const std::exception&) {
        // A half-written or foreign results.json is not this demo's concern:
        // the next newest one is used.
        return std::nullopt;
    }
}

std::optional<double> textToImageR1(const ConfigurationResult* c)
{
    if (!c || !c->comparable || !c->hasTextToImage)
        return std::nullopt;
    return c->textToImage.r1;
}

}  // namespace

std::optional<double> DemoHeadline::secondsSaved() const
{
    if (galleryImages < 0 || imagesPerSecond <= 0)
        return std::nullopt;
    return static_cast<double>(galleryImages) / imagesPerSecond;
}

namespace {

struct FoundEvaluation {
    std::string path;
    EvaluationOutcome results;
};

// Every results.json under WS/results of these two models, newest first,
// each parsed once.
std::vector<FoundEvaluation> evaluationsOfUpgrade(const std::string& workspaceDir, const std::string& oldFingerprint,
                                                  const std::string& newFingerprint)
{
    const fs::path results = WorkspaceLayout(workspaceDir).resultsDir();
    std::error_code ec;
    std::vector<std::pair<fs::file_time_type, std::string>> found;
    for (fs::recursive_directory_iterator it(results, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().filename() == "results.json")
            found.emplace_back(it->last_write_time(ec), it->path().string());
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<FoundEvaluation> evaluations;
    for (const auto& [time, path] : found) {
        std::optional<EvaluationOutcome> r = readFile(path);
        if (r && sameUpgrade(*r, oldFingerprint, newFingerprint))
            evaluations.push_back({path, std::move(*r)});
    }
    return evaluations;
}

}  // namespace

std::string latestEvaluationResults(const std::string& workspaceDir, const std::string& oldFingerprint,
                                    const std::string& newFingerprint)
{
    const std::vector<FoundEvaluation> found = evaluationsOfUpgrade(workspaceDir, oldFingerprint, newFingerprint);
    return found.empty() ? std::string() : found.front().path;
}

DemoHeadline loadDemoHeadline(UpgradeSession& session, const std::string& adapter, const std::string& oldFingerprint,
                              const std::string& newFingerprint)
{
    DemoHeadline h;
    h.adapter = adapter;
    try {
        h.galleryImages = session.galleryImageCount(session.profile().oldGallery);
    } catch (const std::exception& e) {
        h.galleryError = e.what();
    }
    const std::vector<FoundEvaluation> evaluations = evaluationsOfUpgrade(session.dir(), oldFingerprint, newFingerprint);
    if (evaluations.empty()) {
        h.recallMissing = "no evaluation of these models in this workspace yet";
        return h;
    }
    h.resultsFile = evaluations.front().path;
    const EvaluationOutcome* r = &evaluations.front().results;
    h.resultsDate = r->date;
    h.paths = upgradePathRows(*r);
    // An evaluation whose embeddings came from the cache measured no rate:
    // the newest one of the same models that did measure it stands in.
    for (const FoundEvaluation& e : evaluations) {
        if (e.results.backfill.imagesPerSecond > 0)
            h.imagesPerSecond = e.results.backfill.imagesPerSecond;
        else if (const EmbeddingSpace* m = e.results.findSpace(SpaceKind::New))
            h.imagesPerSecond = m->imagesPerSecond;
        if (h.imagesPerSecond > 0)
            break;
    }
    h.todayR1 = textToImageR1(r->find(ConfigurationRole::Today));
    h.backfillR1 = textToImageR1(r->find(ConfigurationRole::Backfill));
    const ConfigurationResult* adapted = nullptr;
    for (const ConfigurationResult& c : r->configurations)
        if (c.role == ConfigurationRole::Adapter && c.adapter == adapter)
            adapted = &c;
    h.adaptedR1 = textToImageR1(adapted);
    for (const ConfigurationResult& c : r->configurations)
        if (c.role == ConfigurationRole::Rerank && c.adapter == adapter && c.rerankK >= h.rerankK) {
            h.rerankK = c.rerankK;
            h.rerankR1 = textToImageR1(&c);
        }
    if (!h.adaptedR1)
        h.recallMissing = "the latest evaluation did not measure adapter '" + adapter + "'";
    else if (!h.todayR1)
        h.recallMissing = "the latest evaluation has no old -> old recall";
    if (!h.recallMissing.empty()) {
        h.todayR1.reset();
        h.adaptedR1.reset();
    }
    return h;
}

QString spokenDuration(double seconds)
{
    if (seconds < 90)
        return QCoreApplication::translate("DemoHeadline", "%1 s").arg(seconds, 0, 'f', seconds < 10 ? 1 : 0);
    if (seconds < 90 * 60)
        return QCoreApplication::translate("DemoHeadline", "%1 min").arg(seconds / 60, 0, 'f', 1);
    if (seconds < 48 * 3600)
        return QCoreApplication::translate("DemoHeadline", "%1 h").arg(seconds / 3600, 0, 'f', 1);
    return QCoreApplication::translate("DemoHeadline", "%1 days").arg(seconds / 86400, 0, 'f', 1);
}

}  // namespace xbt::ui

// xbt eval: recall of every configuration (old->old, new->new, raw new->old)
// on a captioned split, overall and per category; writes results.json,
// recall.csv and results.md.
#include "app/xbt/CliProgress.h"
#include "app/xbt/Command.h"
#include "app/xbt/InterruptCancel.h"
#include "app/xbt/ModelCli.h"
#include "core/data/CaptionedSplit.h"
#include "core/embed/SplitEmbedder.h"
#include "core/eval/ConfigurationEvaluation.h"
#include "core/model/ModelLoader.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <sstream>

namespace xbt::cli {

namespace {

using nlohmann::json;

std::string percent(double v)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f", 100.0 * v);
    return buf;
}

json summaryJson(const RecallSummary& s)
{
    return {{"queries", s.queries}, {"R@1", s.r1},         {"R@5", s.r5},
            {"R@10", s.r10},        {"mean_rank", s.meanRank}, {"median_rank", s.medianRank}};
}

std::string markdownReport(const std::vector<ConfigurationResult>& results, const CaptionedSplit& split,
                           const std::vector<EmbeddingSpace>& spaces)
{
    std::ostringstream md;
    md << "Split: `" << split.root << "` (" << split.images.size() << " images, " << split.captions.size()
       << " captions). Recall in %, pessimistic tie rule.\n\n";
    for (const EmbeddingSpace& s : spaces)
        md << "- " << s.name << ": " << s.model << " (" << s.images.cols << " dims, fingerprint "
           << s.fingerprint.substr(0, 12) << ")\n";
    md << "\n| configuration | T2I R@1 | T2I R@5 | T2I R@10 | I2T R@1 | I2T R@5 | I2T R@10 |\n";
    md << "|---|---:|---:|---:|---:|---:|---:|\n";
    for (const ConfigurationResult& r : results) {
        md << "| `" << r.name << "`" << (r.incompatibleComparison && r.comparable ? " (raw, incompatible)" : "");
        if (!r.comparable) {
            md << " | not comparable | | | | | |\n";
            continue;
        }
        md << " | " << percent(r.textToImage.r1) << " | " << percent(r.textToImage.r5) << " | "
           << percent(r.textToImage.r10) << " | " << percent(r.imageToText.r1) << " | " << percent(r.imageToText.r5)
           << " | " << percent(r.imageToText.r10) << " |\n";
    }
    for (const ConfigurationResult& r : results)
        if (!r.note.empty())
            md << "\n`" << r.name << "`: " << r.note << ".\n";
    if (split.hasCategories()) {
        md << "\nPer category (R@1, %; an image's category is its captions'):\n\n| category | queries T2I / I2T |";
        for (const ConfigurationResult& r : results)
            if (r.comparable)
                md << " `" << r.name << "` T2I | `" << r.name << "` I2T |";
        md << "\n|---|---:|";
        for (const ConfigurationResult& r : results)
            if (r.comparable)
                md << "---:|---:|";
        md << "\n";
        for (const std::string& c : split.categories()) {
            const ConfigurationResult* first = nullptr;
            for (const ConfigurationResult& r : results)
                if (r.comparable && !first)
                    first = &r;
            if (!first)
                break;
            md << "| " << c << " | " << first->textToImageByCategory.at(c).queries << " / "
               << first->imageToTextByCategory.at(c).queries << " |";
            for (const ConfigurationResult& r : results)
                if (r.comparable)
                    md << " " << percent(r.textToImageByCategory.at(c).r1) << " | "
                       << percent(r.imageToTextByCategory.at(c).r1) << " |";
            md << "\n";
        }
    }
    return md.str();
}

int run(const CliArgs& args)
{
    const std::string splitDir = args.required("split");
    const std::string outDir = args.required("out");
    const int maxK = args.intValue("max-k", 100);
    CaptionedSplit split = loadCaptionedSplit(splitDir);
    const ModelOptions options = modelOptionsFrom(args);
    EmbedOptions embedOptions;
    if (options.batchSize > 0)
        embedOptions.batchSize = options.batchSize;
    if (options.threads > 0)
        embedOptions.decodeThreads = options.threads;
    const CancelToken cancel = cancelOnInterrupt();

    std::vector<EmbeddingSpace> spaces;
    std::vector<SplitEmbeddings> embedded;
    bool partial = false;
    for (const char* role : {"old", "new"}) {
        auto model = loadModel(args.required(role), options);
        std::fprintf(stderr, "embedding %zu images and %zu captions with %s (%s)...\n", split.images.size(),
                     split.captions.size(), role, model->info().name.c_str());
        SplitEmbeddings e = embedSplit(*model, split, embedOptions, terminalProgress(), cancel);
        for (const ImageFailure& f : e.failures)
            std::cerr << "failed: " << f.label << ": " << f.reason << "\n";
        partial = partial || !e.failures.empty();
        spaces.push_back({role, model->info().name, model->fingerprint(), {}, {}});
        embedded.push_back(std::move(e));
    }
    // Evaluate on the images every model could read, so all rows line up.
    std::vector<size_t> common;
    for (size_t i : embedded[0].embeddedImages)
        if (std::find(embedded[1].embeddedImages.begin(), embedded[1].embeddedImages.end(), i) !=
            embedded[1].embeddedImages.end())
            common.push_back(i);
    if (common.empty())
        throw Error(splitDir + ": no image of the split could be embedded");
    const CaptionedSplit evaluated = common.size() == split.images.size() ? split : split.subset(common);
    for (size_t s = 0; s < spaces.size(); ++s) {
        std::vector<int64_t> rows;
        for (size_t i : common)
            rows.push_back(static_cast<int64_t>(
                std::find(embedded[s].embeddedImages.begin(), embedded[s].embeddedImages.end(), i) -
                embedded[s].embeddedImages.begin()));
        spaces[s].images = embedded[s].images.selectRows(rows);
        std::vector<int64_t> textRows;
        for (size_t t = 0; t < split.captions.size(); ++t)
            if (std::find(common.begin(), common.end(), static_cast<size_t>(split.captionImage[t])) != common.end())
                textRows.push_back(static_cast<int64_t>(t));
        spaces[s].texts = embedded[s].texts.selectRows(textRows);
    }

    const EmbeddingSpace& oldSpace = spaces[0];
    const EmbeddingSpace& newSpace = spaces[1];
    std::vector<ConfigurationResult> results = {
        evaluateConfiguration(oldSpace, oldSpace, evaluated, maxK),
        evaluateConfiguration(newSpace, newSpace, evaluated, maxK),
        evaluateConfiguration(newSpace, oldSpace, evaluated, maxK),
    };

    std::filesystem::create_directories(outDir);
    const std::string md = markdownReport(results, evaluated, spaces);
    writeFileAtomic((std::filesystem::path(outDir) / "results.md").string(), md);
    std::string csv = "configuration,direction,k,recall\n";
    json configs = json::array();
    for (const ConfigurationResult& r : results) {
        json c = {{"name", r.name},
                  {"query", r.querySpace},
                  {"gallery", r.gallerySpace},
                  {"comparable", r.comparable},
                  {"incompatible_comparison", r.incompatibleComparison},
                  {"note", r.note}};
        if (r.comparable) {
            c["text_to_image"] = summaryJson(r.textToImage);
            c["image_to_text"] = summaryJson(r.imageToText);
            c["text_to_image"]["curve"] = r.recall.textToImage.curve;
            c["image_to_text"]["curve"] = r.recall.imageToText.curve;
            for (const auto& [cat, s] : r.textToImageByCategory)
                c["per_category"][cat]["text_to_image"] = summaryJson(s);
            for (const auto& [cat, s] : r.imageToTextByCategory)
                c["per_category"][cat]["image_to_text"] = summaryJson(s);
            for (size_t k = 0; k < r.recall.textToImage.curve.size(); ++k)
                csv += r.name + ",text_to_image," + std::to_string(k + 1) + "," +
                       std::to_string(r.recall.textToImage.curve[k]) + "\n";
            for (size_t k = 0; k < r.recall.imageToText.curve.size(); ++k)
                csv += r.name + ",image_to_text," + std::to_string(k + 1) + "," +
                       std::to_string(r.recall.imageToText.curve[k]) + "\n";
        }
        configs.push_back(c);
    }
    json models = json::object();
    for (const EmbeddingSpace& s : spaces)
        models[s.name] = {{"model", s.model}, {"fingerprint", s.fingerprint}, {"dims", s.images.cols}};
    const std::time_t now = std::time(nullptr);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    std::string command = "xbt eval --old " + args.value("old") + " --new " + args.value("new") + " --split " +
                          splitDir + " --out " + outDir;
    const json results_json = {{"command", command},
                               {"date", date},
                               {"split", {{"folder", splitDir}, {"images", evaluated.images.size()},
                                          {"captions", evaluated.captions.size()}}},
                               {"tie_rule", "pessimistic: an item ranks after every other item scoring >= it"},
                               {"models", models},
                               {"configurations", configs}};
    writeFileAtomic((std::filesystem::path(outDir) / "results.json").string(), results_json.dump(2) + "\n");
    writeFileAtomic((std::filesystem::path(outDir) / "recall.csv").string(), csv);
    std::cout << md;
    std::fprintf(stderr, "wrote %s/results.json, recall.csv, results.md\n", outDir.c_str());
    return partial ? kExitPartial : kExitOk;
}

}  // namespace

Command makeEvalCommand()
{
    std::vector<OptionSpec> specs = modelOptionSpecs("old");
    specs.insert(specs.begin() + 1, {"new", "M", "the new model (same forms as --old)"});
    return {"eval",
            "recall@K of old->old, new->new and raw new->old on a captioned split, overall and per category",
            "xbt eval --old M --new M --split DIR --out DIR",
            concatSpecs(specs, {{"split", "DIR", "split folder: images plus captions.tsv"},
                                {"out", "DIR", "where results.json, recall.csv and results.md go"},
                                {"max-k", "K", "longest recall curve (default 100)"}}),
            run};
}

}  // namespace xbt::cli

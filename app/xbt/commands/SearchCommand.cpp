// xbt search: top-K of a gallery for a text or an image query.
#include "app/xbt/Command.h"
#include "app/xbt/ModelCli.h"
#include "core/pipeline/SearchReranker.h"
#include "core/pipeline/UpgradeSession.h"
#include "core/util/Error.h"
#include "core/util/Utf8.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace xbt::cli {

namespace {

SearchTarget parseTarget(const std::string& text)
{
    if (text == "images")
        return SearchTarget::Images;
    if (text == "captions")
        return SearchTarget::Captions;
    throw UsageError("--target expects images or captions, got '" + text + "'");
}

// File names may not be UTF-8 (see Utf8Escape.h); captions are read as UTF-8
// but are escaped the same way rather than trusted.
void printJson(const SearchResults& r)
{
    nlohmann::ordered_json results = nlohmann::ordered_json::array();
    for (const SearchHit& h : r.hits) {
        nlohmann::ordered_json hit = {{"rank", h.rank}, {"score", h.score}, {"id", h.id}};
        if (r.backfilledItems >= 0)
            hit["new_space"] = h.backfilled;
        if (r.rerank.k > 0) {
            hit["reranked"] = h.reranked;
            if (h.reranked)
                hit["new_score"] = h.rerankScore;
        }
        if (r.target == SearchTarget::Captions)
            hit["caption"] = escapeInvalidUtf8(h.caption);
        hit["path"] = escapeInvalidUtf8(h.path);
        results.push_back(std::move(hit));
    }
    nlohmann::ordered_json out = {{"gallery", r.gallery}, {"root", escapeInvalidUtf8(r.root)}, {"results", results}};
    if (r.incompatibleComparison)
        out["incompatible_comparison"] = true;
    if (!r.compatibleQuery.empty())
        out["compatible_query"] = r.compatibleQuery;
    if (r.backfilledItems >= 0)
        out["mixed"] = {{"new_model", r.newModel},
                        {"backfilled", r.backfilledItems},
                        {"of", r.galleryItems},
                        {"scoring", r.mixing}};
    if (r.rerank.k > 0)
        out["rerank"] = {{"k", r.rerank.k},
                         {"model", r.rerank.model},
                         {"reembedded", r.rerank.reembedded},
                         {"reused", r.rerank.reused},
                         {"stored", r.rerank.stored},
                         {"missing", r.rerank.missing},
                         {"changed", r.rerank.changed},
                         {"seconds", r.rerank.seconds}};
    std::cout << out.dump(2) << "\n";
}

void printTable(const SearchResults& r)
{
    if (r.incompatibleComparison)
        std::printf("WARNING: incompatible comparison: the query model is not the gallery's; scores are not meaningful\n");
    if (!r.compatibleQuery.empty())
        std::printf("compatible model: %s\n", r.compatibleQuery.c_str());
    if (r.backfilledItems >= 0)
        std::printf("mixed search: %lld of %lld %s backfilled, scored by %s (marked *); the rest through the adapter\n",
                    static_cast<long long>(r.backfilledItems), static_cast<long long>(r.galleryItems),
                    r.target == SearchTarget::Captions ? "captions" : "images", r.newModel.c_str());
    if (r.backfilledItems >= 0 && !r.mixing.empty())
        std::printf("mixing: %s\n", r.mixing.c_str());
    if (r.rerank.k > 0)
        std::printf("%s (image queries re-embed captions, texts: cheap)\n", describeRerank(r.rerank).c_str());
    const bool reranked = r.rerank.k > 0;
    std::printf("%4s  %7s  %s%s\n", "rank", "score", reranked ? "new      " : "",
                r.target == SearchTarget::Captions ? "caption  [image]" : "path");
    for (const SearchHit& h : r.hits) {
        char newScore[16] = "";
        if (reranked)
            std::snprintf(newScore, sizeof newScore, h.reranked ? "%7.4f  " : "      -  ", h.rerankScore);
        const char* space = h.backfilled ? "*" : " ";
        if (r.target == SearchTarget::Captions)
            std::printf("%4d %s%7.4f  %s%s  [%s]\n", h.rank, space, h.score, newScore, escapeLine(h.caption).c_str(),
                        escapeLine(h.path).c_str());
        else
            std::printf("%4d %s%7.4f  %s%s\n", h.rank, space, h.score, newScore, escapeLine(h.path).c_str());
    }
    if (r.hits.empty())
        std::printf("(the gallery is empty)\n");
}

int run(const CliArgs& args)
{
    const bool text = args.has("text");
    if (text == args.has("image"))
        throw UsageError("give exactly one of --text \"...\" or --image FILE");
    SearchRequest request;
    SearchOptions& options = request.options;
    options.target = parseTarget(args.value("target", text ? "images" : "captions"));
    options.k = args.intValue("k", 10);
    if (options.k <= 0)
        throw UsageError("-k must be positive");
    options.allowIncompatible = args.has("allow-incompatible");
    request.gallery = args.value("gallery", "default");
    request.text = args.value("text");
    request.imagePath = args.value("image");
    request.modelSpec = args.value("model");
    request.adapter = args.value("adapter");
    if (args.has("adapter") && !args.has("model"))
        throw UsageError("--adapter needs --model: the new model whose queries the adapter maps");
    request.rerankK = args.intValue("rerank", 0);
    request.mixed = args.has("mixed");
    if (request.mixed && request.adapter.empty())
        throw UsageError("--mixed needs --model NEW --adapter NAME: backfilled items are scored by the new model, the "
                         "rest through the adapter");
    if (args.has("rerank") && request.rerankK < 1)
        throw UsageError("--rerank K needs K of 1 or more");

    UpgradeSession session(args.required("workspace"), modelOptionsFrom(args));
    const SearchResults r = session.search(request);
    if (args.has("json"))
        printJson(r);
    else
        printTable(r);
    return kExitOk;
}

}  // namespace

Command makeSearchCommand()
{
    return {"search",
            "top-K images or captions of a gallery for a text or image query",
            "xbt search --workspace WS [--gallery NAME] (--text \"...\" | --image FILE) [--target images|captions] "
            "[-k 10] [--model M [--adapter NAME] [--rerank K] [--mixed]] [--allow-incompatible] [--json]",
            concatSpecs(modelOptionSpecs(),
                        {adapterOptionSpec("search the old gallery with the new model's queries mapped by it"),
                         {"rerank", "K", "re-score the top K with the new model (--model), re-embedding those images "
                                         "from their files (captions: texts, cheap); reports what it re-embedded"},
                         {"mixed", "", "a partly backfilled gallery (xbt backfill): images the new-model store "
                                       "holds are scored by the new model, the rest through --adapter, the two "
                                       "scores mixed through a calibration fitted on the adapter's validation "
                                       "split (cached in WS/cache/mixing; raw when it has none)"},
                         {"workspace", "WS", "workspace folder"},
                         {"gallery", "NAME", "gallery to search (default: default)"},
                         {"text", "TEXT", "text query"},
                         {"image", "FILE", "image query"},
                         {"target", "images|captions",
                          "what to rank (default: images for --text, captions for --image)"},
                         {"k", "N", "how many results (default 10; more than the gallery: all of it)"},
                         {"allow-incompatible", "",
                          "search with a model other than the gallery's anyway; results are labelled incompatible"},
                         {"json", "", "print one JSON object; bytes of file names that are not UTF-8 are "
                                      "written as \\xNN"}}),
            run};
}

}  // namespace xbt::cli

#pragma once
// One retrieval configuration "query space -> gallery space" (old->old,
// new->new, raw new->old, new+adapter->old, new->transformed-old) measured on
// a captioned split, overall and per category, with bootstrap intervals.
// Spaces of different sizes are reported as not comparable rather than
// failing.

#include "core/data/CaptionedSplit.h"
#include "core/eval/Bootstrap.h"
#include "core/eval/NegativeFlips.h"
#include "core/eval/RetrievalRecall.h"
#include "core/util/Matrix.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace xbt {

// Embeddings of one split's images and captions in one space (a model, a
// model plus adapter, or a transformed gallery), rows in the split's order.
// Either matrix may be empty: a space of text queries only (T2I only), or of
// images only.
enum class SpaceKind {
    Old,               // the old model: today's gallery and queries
    New,               // the new model
    QueryAdapter,      // the new model through a query adapter (lives in the old space)
    GalleryTransform,  // the old gallery moved to the new space by a transform
    Compared,          // a further new model (xbt eval --compare)
    Ceiling            // diagnostic: new queries mapped by a fit on the evaluated split itself (CeilingFit.h)
};

struct EmbeddingSpace {
    SpaceKind kind = SpaceKind::Old;
    std::string adapter;      // QueryAdapter / GalleryTransform: the adapter's name
    std::string method;       // and its method
    double imagesPerSecond = 0.0;  // measured embedding rate, when the space was embedded here
    std::string name;         // "old", "new", "new+xbt", "fct(old)"
    std::string model;        // the model's name (with the adapter's, if any)
    std::string fingerprint;  // of the space the vectors live in
    // A model trained compatible with another (BCT, BT^2, OCA): that model's
    // fingerprint, and how many leading values compare with it (renormalised;
    // 0: the whole vector). Empty: no declared compatibility.
    std::string compatibleWith;
    int64_t comparableDims = 0;
    Matrix images;
    Matrix texts;
    int64_t dims() const { return images.rows ? images.cols : texts.cols; }
};

// What one query costs on a path, end to end (encoding, searching, and for
// a re-ranking re-embedding its candidates from their files), measured over
// `queries` text queries one at a time (PathLatency.h).
struct QueryLatency {
    int queries = 0;
    double p50Ms = 0.0, p95Ms = 0.0;
};

// What a configuration stands for in the upgrade story.
enum class ConfigurationRole {
    Today,             // old -> old
    Backfill,          // new -> new, the upper reference
    Raw,               // new -> old without an adapter (incompatible comparison)
    Adapter,           // new + query adapter -> old
    GalleryTransform,  // new -> old gallery moved to the new space
    Compatible,        // a model trained compatible with the old one -> old
    Compared,          // a further new model against its own gallery (--compare)
    Ceiling,           // diagnostic, never a method: the most a query map could take (xbt eval --ceiling)
    Rerank,            // an adapter's top K re-scored by the new model (xbt eval --rerank K)
    Other
};
// "today", "backfill", "raw", "adapter", "gallery-transform", "compatible", "compared", "ceiling", "rerank",
// "other"
const char* roleName(ConfigurationRole role);

// The part of a compatible model's space that compares with its old model's:
// the leading comparableDims values renormalised, tagged with the old
// model's fingerprint. A space that declares no compatibility is returned as is.
EmbeddingSpace oldComparablePart(const EmbeddingSpace& space);

struct ConfigurationResult {
    std::string name;          // "old->old"
    std::string querySpace;
    std::string gallerySpace;
    ConfigurationRole role = ConfigurationRole::Other;
    std::string adapter;       // for Adapter and GalleryTransform
    bool comparable = true;
    // Raw comparison of embeddings from different spaces: shown on purpose,
    // labelled as such (see METHODS.md "new->old raw").
    bool incompatibleComparison = false;
    std::string note;
    bool hasTextToImage = false;
    bool hasImageToText = false;
    RetrievalRecall recall;
    RecallSummary textToImage;
    RecallSummary imageToText;
    std::map<std::string, RecallSummary> textToImageByCategory;
    std::map<std::string, RecallSummary> imageToTextByCategory;
    // Against today's system (old->old), per direction; set by evaluateSpaces.
    NegativeFlips negativeFlips;
    // Rerank: K, and the images re-embedded: per query (K, text-to-image;
    // image-to-text re-embeds captions, which are texts) and in all (each
    // distinct candidate once, when re-embeddings are kept for reuse).
    int rerankK = 0;
    int64_t imagesPerQuery = 0;
    int64_t imagesOnce = 0;
    // Paths of the upgrade decision table: what a text query costs
    // (measured when the table was asked for; unset otherwise).
    std::optional<QueryLatency> textQueryLatency;
    // R@1 + R@5 + R@10 of both directions, in percent (the usual RSUM).
    double rsum() const;

    bool has(RetrievalDirection d) const;
    const RecallSummary& summary(RetrievalDirection d) const;
    const std::map<std::string, RecallSummary>& byCategory(RetrievalDirection d) const;
};

// What a configuration stands for, in words: "today's system", "full
// backfill", "new model, no adapter", "adapter 'xbt'", ...
std::string roleDescription(const ConfigurationResult& c);

ConfigurationResult evaluateConfiguration(const EmbeddingSpace& query, const EmbeddingSpace& gallery,
                                          const CaptionedSplit& split, int maxK = 100,
                                          const BootstrapOptions& bootstrap = {});

}  // namespace xbt

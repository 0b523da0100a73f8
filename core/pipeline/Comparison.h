#pragma once
// One query run against every configuration of an upgrade, side by side:
// today (old -> old), the naive upgrade (raw new -> old), the compatible
// upgrade (new + adapter -> old) and the full re-index (new -> new). What
// Explore and demo mode show; UpgradeSession::compare makes it.

#include "core/gallery/GallerySearch.h"

#include <string>
#include <vector>

namespace xbt {

struct ComparisonQuery {
    std::string text;       // a text query (T2I), or empty
    std::string imagePath;  // an image query (I2T), or empty
    std::string adapter;    // the query adapter for the "new + adapter" column
    int k = 24;
    // > 0: the adapter column's top K re-scored by the new model
    // (SearchReranker.h), re-embedding those images from their files.
    int rerankK = 0;
    bool isImage() const { return text.empty() && !imagePath.empty(); }
};

enum class ColumnKind { Today, Raw, Adapted, Backfill };
// "old->old", "new->old", "new+adapter->old", "new->new"
const char* columnKindKey(ColumnKind kind);

struct ComparisonColumn {
    ColumnKind kind = ColumnKind::Today;
    std::string title;        // "old -> old"
    std::string subtitle;     // what the column means, in words
    std::string unavailable;  // set: the column cannot be searched, and why
    bool incompatible = false;
    SearchResults results;
    std::vector<char> groundTruth;  // per hit: it is the query's ground truth
};

struct Comparison {
    ComparisonQuery query;
    std::vector<ComparisonColumn> columns;
    // Ground truth from the eval split: the image a caption query belongs to
    // (absolute path), or an image query's captions.
    std::string groundTruthImage;
    std::vector<std::string> groundTruthCaptions;
    double seconds = 0.0;
};

}  // namespace xbt

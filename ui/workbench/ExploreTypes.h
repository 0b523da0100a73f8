#pragma once
// What an Explore query asks and what it gets back, as plain data handed
// from the worker thread to the panel.

#include <QImage>

#include "core/gallery/GallerySearch.h"

#include <string>
#include <vector>

namespace xbt::ui {

struct ExploreQuery {
    std::string text;       // a text query (T2I), or empty
    std::string imagePath;  // an image query (I2T), or empty
    std::string adapter;    // the query adapter for the "new + adapter" column
    int k = 24;
    bool isImage() const { return text.empty() && !imagePath.empty(); }
};

enum class ColumnKind { Today, Raw, Adapted, Backfill };

struct ExploreColumn {
    ColumnKind kind = ColumnKind::Today;
    std::string title;        // "old -> old"
    std::string subtitle;     // what the column means, in words
    std::string unavailable;  // set: the column cannot be searched, and why
    bool incompatible = false;
    SearchResults results;
    std::vector<char> groundTruth;  // per hit: it is the query's ground truth
};

struct ExploreOutcome {
    ExploreQuery query;
    std::vector<ExploreColumn> columns;
    // Ground truth from the eval split: the image a caption query belongs to
    // (absolute path), or an image query's captions.
    std::string groundTruthImage;
    std::vector<std::string> groundTruthCaptions;
    double seconds = 0.0;
    // An image query's picture, decoded and scaled on the worker thread.
    QImage queryPreview;
};

const char* columnKindKey(ColumnKind kind);

}  // namespace xbt::ui

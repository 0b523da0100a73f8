#pragma once
// What Explore and demo mode show for one query: the engine's comparison
// (core/pipeline/Comparison.h), plus the query image decoded for display.

#include "core/pipeline/Comparison.h"

#include <QImage>

namespace xbt::ui {

struct ExploreOutcome : Comparison {
    // An image query's picture, decoded and scaled on the worker thread.
    QImage queryPreview;
};

}  // namespace xbt::ui

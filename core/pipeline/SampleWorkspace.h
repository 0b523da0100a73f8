#pragma once
// The bundled sample workspace: the whole upgrade story, offline, built from
// the sample world and the two shipped sample models:
//
//   WS/data/test/            a generated test split (images + captions.tsv)
//   WS/data/pairs/           a few image-text pairs for XBT stage 2
//   WS/data/corpus/corpus.txt  a text-only corpus for XBT stage 1
//   WS/data/val/             a validation split: training's recall curves
//   gallery "sample"         the test split indexed with sample-old (today's gallery)
//   gallery "sample-new"     the same images indexed with sample-new (the backfill reference)
//   adapter "xbt"            the default XBT adapter sample-new -> sample-old
//   WS/demo-queries.txt      the demo list
//   WS/upgrade.json          the UpgradeProfile tying them together
//
// Building is idempotent and resumable: each step is skipped when its result
// exists, so a cancelled build continues where it stopped. A step's record
// names the model fingerprints it was built with: after the sample models
// change (a new package), building again re-indexes the galleries and
// retrains the adapter, and leaves the generated data alone.

#include "core/util/Progress.h"

#include <string>

namespace xbt {

struct SampleWorkspaceOptions {
    int testImages = 1000;
    int pairs = 1000;
    int corpusSentences = 20000;
    int validationImages = 500;
    // Images without captions for the adapter's stage 2 (xbt --unlabeled);
    // 0: none. As many as docs/compatibility.md's results use, so that the
    // demo shows the adapter measured there.
    int unlabeledImages = 16000;
    bool trainAdapter = true;
    std::string device = "auto";
};

// Where the workbench and `xbt demo` keep the sample workspace by default:
// $XDG_DATA_HOME (or ~/.local/share) + /xbt-workbench/sample-workspace.
std::string defaultSampleWorkspaceDir();

// True when every step's result exists (a few stat calls; whether they were
// built with the current sample models is checked by building again, which
// loads the models and redoes only what is stale).
bool sampleWorkspaceComplete(const std::string& dir);
void buildSampleWorkspace(const std::string& dir, const SampleWorkspaceOptions& options = {},
                          const ProgressCallback& progress = {}, const CancelToken& cancel = {});

}  // namespace xbt

#pragma once
// captions.tsv, the caption file of the project's "split" format: a folder of
// images plus one line per caption,
//     relative/path.png TAB caption [TAB category]
// in UTF-8. An image may have several captions; each caption belongs to
// exactly one image. The category column is optional when reading. Blank
// lines are ignored.

#include <string>
#include <vector>

namespace xbt {

struct CaptionRecord {
    std::string path;      // relative to the folder holding captions.tsv
    std::string caption;
    std::string category;  // empty when the line has no third column
    int line = 0;          // 1-based line in the file it was read from
};

struct SkippedCaptionLine {
    int line = 0;
    std::string reason;  // "captions.tsv line 12: expected path TAB caption [TAB category]"
};

struct CaptionsTsv {
    std::vector<CaptionRecord> records;
    std::vector<SkippedCaptionLine> skipped;  // only filled in lenient mode
};

// Strict mode throws xbt::Error at the first malformed line, naming the file
// and line; lenient mode skips such lines and lists them with their reasons.
CaptionsTsv readCaptionsTsv(const std::string& path, bool lenient = false);

// Throws xbt::Error when a field holds a TAB or line break, or a path or
// caption is empty: such a file could not be read back.
void writeCaptionsTsv(const std::string& path, const std::vector<CaptionRecord>& records);

}  // namespace xbt

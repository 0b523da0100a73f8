#pragma once
// Image captions from the formats users already have, in one shape the
// gallery and the training data builders take: the project's captions.tsv,
// sidecar .txt files beside the images, CSV with a header, COCO captions JSON
// and Flickr8k/30k token files. Paths come back relative to an image root so
// they match the gallery's relative image paths. docs/data-formats.md
// describes every format exactly as read here.

#include <string>
#include <vector>

namespace xbt {

enum class CaptionFormat {
    Auto,         // decided by detectCaptionFormat
    CaptionsTsv,  // path TAB caption [TAB category], paths relative to the file's folder
    SidecarText,  // photo.txt and/or photo.jpg.txt beside photo.jpg, one caption per line
    Csv,          // a header row naming a path column and a caption column
    CocoJson,     // "images": [{id, file_name}], "annotations": [{image_id, caption}]
    FlickrToken,  // image.jpg#N TAB caption
};

// "auto", "tsv", "sidecar", "csv", "coco", "flickr": the names the CLI and docs use.
std::string captionFormatName(CaptionFormat format);
// The inverse of captionFormatName; throws xbt::Error listing the accepted names.
CaptionFormat parseCaptionFormat(const std::string& name);

struct CaptionSourceOptions {
    CaptionFormat format = CaptionFormat::Auto;
    // The folder returned paths are relative to. Empty: the source itself when
    // it is a folder, else the folder holding the caption file.
    std::string imageRoot;
    // Skip malformed lines and list them instead of failing at the first one.
    bool lenient = false;
};

struct ImageCaption {
    std::string path;      // relative to the image root, '/'-separated, normalised
    std::string caption;   // line breaks and TABs inside it become spaces; trimmed
    std::string category;  // empty when the format or line has none
    std::string file;      // the file it was read from, as opened
    int line = 0;          // 1-based line in `file` where it starts; COCO: position in "annotations"
};

struct SkippedCaption {
    std::string file;
    int line = 0;        // as ImageCaption::line; 0 when the whole file was skipped
    std::string reason;  // "captions.csv line 12: expected 2 columns (path, caption), found 1"
};

struct LoadedCaptions {
    CaptionFormat format = CaptionFormat::Auto;  // the format that was read
    std::string imageRoot;
    std::vector<ImageCaption> captions;  // in file order; an image may have many
    std::vector<SkippedCaption> skipped; // only filled in lenient mode
};

// The format of `source` (a caption file, or a folder of images) judged from
// its name and first non-blank line; throws xbt::Error when it cannot tell.
CaptionFormat detectCaptionFormat(const std::string& source);

// Strict mode throws xbt::Error at the first malformed line, naming the file
// and line and what was expected; lenient mode skips such lines and lists
// them. Problems with the whole source (unreadable, a CSV header without a
// path or caption column, JSON that is not COCO captions, no captions at all)
// throw in both modes.
LoadedCaptions loadCaptions(const std::string& source, const CaptionSourceOptions& options = {});

}  // namespace xbt

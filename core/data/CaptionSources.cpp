#include "core/data/CaptionSources.h"

#include "core/data/CaptionsTsv.h"
#include "core/data/CsvTable.h"
#include "core/data/ImageFiles.h"
#include "core/util/JsonText.h"
#include "core/util/Utf8.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>

namespace xbt {

namespace {

namespace fs = std::filesystem;

const std::initializer_list<const char*> kPathColumns = {"path",     "filepath",   "file_path", "file",
                                                          "filename", "file_name",  "image",     "image_path",
                                                          "image_name"};
const std::initializer_list<const char*> kCaptionColumns = {"caption", "text", "title"};
const std::initializer_list<const char*> kCategoryColumns = {"category", "class"};

std::string fileLabel(const std::string& path)
{
    return fs::path(path).filename().string();
}

std::string lowerExtension(const std::string& path)
{
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

std::string trimmed(const std::string& s)
{
    const size_t begin = s.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos)
        return {};
    return s.substr(begin, s.find_last_not_of(" \t\r\n") - begin + 1);
}

bool isBlank(const std::string& s)
{
    return s.find_first_not_of(" \t\r") == std::string::npos;
}

std::vector<std::string> textLinesWithoutBom(const std::string& path)
{
    std::vector<std::string> lines = readTextLines(path);
    if (!lines.empty() && lines[0].rfind("\xef\xbb\xbf", 0) == 0)
        lines[0].erase(0, 3);
    return lines;
}

std::string joined(const std::vector<std::string>& names)
{
    std::string out;
    for (const std::string& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

std::string joined(std::initializer_list<const char*> names)
{
    return joined(std::vector<std::string>(names.begin(), names.end()));
}

// `image.jpg#N TAB caption`: the Flickr8k/30k token line.
bool isFlickrTokenLine(const std::string& line)
{
    const size_t tab = line.find('\t');
    if (tab == std::string::npos)
        return false;
    const size_t hash = line.rfind('#', tab);
    if (hash == std::string::npos || hash == 0 || hash + 1 == tab)
        return false;
    return std::all_of(line.begin() + static_cast<std::ptrdiff_t>(hash) + 1,
                       line.begin() + static_cast<std::ptrdiff_t>(tab),
                       [](unsigned char c) { return std::isdigit(c); });
}

// Where a caption came from, for records and messages: "captions.csv line 12",
// or "captions.json annotation 3" where JSON has no useful line numbers.
struct Origin {
    std::string file;
    int line = 0;
    const char* unit = "line";

    std::string location() const { return fileLabel(file) + " " + unit + " " + std::to_string(line); }
};

// Gathers captions for one load: checks each one, rebases its path onto the
// image root, and either throws or records the skip, as the mode says.
class CaptionCollector {
public:
    CaptionCollector(bool lenient, const std::string& imageRoot)
        : lenient_(lenient), root_(imageRoot), absoluteRoot_(fs::absolute(imageRoot).lexically_normal())
    {
    }

    void malformed(const Origin& origin, const std::string& problem)
    {
        const std::string message = origin.location() + ": " + problem;
        if (!lenient_)
            throw Error(message + " (in " + origin.file + ")");
        result_.skipped.push_back({origin.file, origin.line, message});
    }

    // A problem with a whole file (e.g. an ambiguous sidecar), not one line of it.
    void malformedFile(const std::string& file, const std::string& problem)
    {
        const std::string message = file + ": " + problem;
        if (!lenient_)
            throw Error(message);
        result_.skipped.push_back({file, 0, message});
    }

    const fs::path& absoluteRoot() const { return absoluteRoot_; }

    // `path` is absolute or relative to `absoluteBase`, the folder the
    // format's paths are relative to.
    void add(const Origin& origin, const fs::path& absoluteBase, const std::string& path, const std::string& caption,
             const std::string& category)
    {
        const std::string cleanPath = trimmed(path);
        if (cleanPath.empty())
            return malformed(origin, "empty image path");
        if (cleanPath.find("://") != std::string::npos)
            return malformed(origin, "'" + cleanPath + "' is a URL; expected an image path relative to " + root_);
        std::string cleanCaption = caption;
        std::replace_if(cleanCaption.begin(), cleanCaption.end(),
                        [](char c) { return c == '\t' || c == '\r' || c == '\n'; }, ' ');
        cleanCaption = trimmed(cleanCaption);
        if (cleanCaption.empty())
            return malformed(origin, "empty caption for " + cleanPath);
        const fs::path p(cleanPath);
        const fs::path full = (p.is_absolute() ? p : absoluteBase / p).lexically_normal();
        const fs::path relative = full.lexically_relative(absoluteRoot_);
        const std::string rel = relative.generic_string();
        if (rel.empty() || rel == "." || rel == ".." || rel.rfind("../", 0) == 0)
            return malformed(origin, "'" + cleanPath + "' is outside the image root " + root_);
        result_.captions.push_back({rel, cleanCaption, trimmed(category), origin.file, origin.line});
    }

    LoadedCaptions take() { return std::move(result_); }

private:
    bool lenient_;
    std::string root_;
    fs::path absoluteRoot_;
    LoadedCaptions result_;
};

void readTsv(const std::string& file, bool lenient, CaptionCollector& out)
{
    const CaptionsTsv tsv = readCaptionsTsv(file, lenient);
    // Its reasons already start with "captions.tsv line N: "; keep only the
    // problem so that the collector's prefix does not repeat it.
    for (const SkippedCaptionLine& s : tsv.skipped)
        out.malformed({file, s.line}, s.reason.substr(s.reason.find(": ") + 2));
    const fs::path base = fs::absolute(parentDirectory(file));
    for (const CaptionRecord& r : tsv.records)
        out.add({file, r.line}, base, r.path, r.caption, r.category);
}

void readSidecarFile(const std::string& file, const fs::path& absoluteFolder, const std::string& imagePath,
                     CaptionCollector& out)
{
    const std::vector<std::string> lines = textLinesWithoutBom(file);
    for (size_t i = 0; i < lines.size(); ++i) {
        const Origin origin{file, static_cast<int>(i) + 1};
        if (isBlank(lines[i]))
            continue;
        if (findInvalidUtf8(lines[i]) != std::string_view::npos)
            out.malformed(origin, "not valid UTF-8");
        else
            out.add(origin, absoluteFolder, imagePath, lines[i], {});
    }
}

void readSidecars(const std::string& folder, CaptionCollector& out)
{
    const std::vector<ImageInput> images = listImageFolder(folder);
    const fs::path base = fs::absolute(folder);
    // photo.txt is ambiguous when photo.jpg and photo.png both exist.
    std::map<std::string, std::vector<std::string>> imagesByStemSidecar;
    for (const ImageInput& image : images)
        imagesByStemSidecar[fs::path(image.path).replace_extension(".txt").string()].push_back(image.label);
    for (const ImageInput& image : images) {
        const std::string stemSidecar = fs::path(image.path).replace_extension(".txt").string();
        const std::vector<std::string>& sharing = imagesByStemSidecar[stemSidecar];
        if (fileExists(stemSidecar)) {
            if (sharing.size() == 1)
                readSidecarFile(stemSidecar, base, image.label, out);
            else if (sharing.front() == image.label)
                out.malformedFile(stemSidecar, "could belong to any of " + joined(sharing)
                                                   + "; name it after the image it describes, e.g. "
                                                   + fileLabel(sharing.front()) + ".txt");
        }
        const std::string fullSidecar = image.path + ".txt";
        if (fileExists(fullSidecar))
            readSidecarFile(fullSidecar, base, image.label, out);
    }
}

void readCsv(const std::string& file, CaptionCollector& out)
{
    const std::vector<CsvRow> rows = parseCsv(readFileBytes(file));
    if (rows.empty())
        throw Error(file + ": empty CSV; expected a header row naming a path column and a caption column");
    const CsvRow& header = rows.front();
    const std::string headerAt = fileLabel(file) + " line " + std::to_string(header.line);
    if (!header.problem.empty())
        throw Error(headerAt + ": " + header.problem + " (in " + file + ")");
    const int pathColumn = findCsvColumn(header.fields, kPathColumns);
    const int captionColumn = findCsvColumn(header.fields, kCaptionColumns);
    const int categoryColumn = findCsvColumn(header.fields, kCategoryColumns);
    if (pathColumn < 0 || captionColumn < 0)
        throw Error(headerAt + ": the header (" + joined(header.fields) + ") has no "
                    + (pathColumn < 0 ? "image path column; expected one of " + joined(kPathColumns)
                                      : "caption column; expected one of " + joined(kCaptionColumns))
                    + " (in " + file + ")");
    for (size_t r = 1; r < rows.size(); ++r) {
        const CsvRow& row = rows[r];
        if (!row.problem.empty()) {
            out.malformed({file, row.problemLine}, row.problem);
        } else if (row.fields.size() != header.fields.size()) {
            out.malformed({file, row.line}, "expected " + std::to_string(header.fields.size()) + " columns ("
                                                + joined(header.fields) + "), found "
                                                + std::to_string(row.fields.size()));
        } else {
            out.add({file, row.line}, out.absoluteRoot(), row.fields[static_cast<size_t>(pathColumn)],
                    row.fields[static_cast<size_t>(captionColumn)],
                    categoryColumn < 0 ? std::string() : row.fields[static_cast<size_t>(categoryColumn)]);
        }
    }
}

void readCoco(const std::string& file, CaptionCollector& out)
{
    using nlohmann::json;
    const json doc = readJsonFile(file);
    const char* const expected = "expected COCO captions JSON: an object with \"images\": [{\"id\", \"file_name\"}] "
                                 "and \"annotations\": [{\"image_id\", \"caption\"}]";
    if (!doc.is_object() || !doc.contains("images") || !doc["images"].is_array() || !doc.contains("annotations")
        || !doc["annotations"].is_array())
        throw Error(file + ": " + expected);
    const json& annotations = doc["annotations"];
    if (!annotations.empty() && annotations[0].is_object() && !annotations[0].contains("caption")
        && annotations[0].contains("category_id"))
        throw Error(file + ": these are COCO object annotations (instances), not captions; use the captions_*.json "
                           "file of the same split");

    std::map<int64_t, std::pair<std::string, int>> images;  // id -> file_name, position
    const json& imageList = doc["images"];
    for (size_t i = 0; i < imageList.size(); ++i) {
        const json& image = imageList[i];
        const Origin origin{file, static_cast<int>(i) + 1, "image"};
        if (!image.is_object() || !image.contains("id") || !image["id"].is_number_integer()
            || !image.contains("file_name") || !image["file_name"].is_string()) {
            out.malformed(origin, "expected {\"id\": integer, \"file_name\": string}");
            continue;
        }
        const int64_t id = image["id"].get<int64_t>();
        const auto [it, inserted] =
            images.emplace(id, std::make_pair(image["file_name"].get<std::string>(), origin.line));
        if (!inserted)
            out.malformed(origin, "image id " + std::to_string(id) + " is already used by image "
                                      + std::to_string(it->second.second));
    }
    for (size_t i = 0; i < annotations.size(); ++i) {
        const json& a = annotations[i];
        const Origin origin{file, static_cast<int>(i) + 1, "annotation"};
        if (!a.is_object() || !a.contains("image_id") || !a["image_id"].is_number_integer() || !a.contains("caption")
            || !a["caption"].is_string()) {
            out.malformed(origin, "expected {\"image_id\": integer, \"caption\": string}");
            continue;
        }
        const int64_t imageId = a["image_id"].get<int64_t>();
        const auto image = images.find(imageId);
        if (image == images.end()) {
            out.malformed(origin, "image_id " + std::to_string(imageId) + " is not in \"images\"");
            continue;
        }
        out.add(origin, out.absoluteRoot(), image->second.first, a["caption"].get<std::string>(), {});
    }
}

void readFlickrTokens(const std::string& file, CaptionCollector& out)
{
    const std::vector<std::string> lines = textLinesWithoutBom(file);
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        const Origin origin{file, static_cast<int>(i) + 1};
        if (isBlank(line))
            continue;
        if (findInvalidUtf8(line) != std::string_view::npos) {
            out.malformed(origin, "not valid UTF-8");
        } else if (!isFlickrTokenLine(line)) {
            out.malformed(origin, "expected image#N TAB caption");
        } else {
            const size_t tab = line.find('\t');
            out.add(origin, out.absoluteRoot(), line.substr(0, line.rfind('#', tab)), line.substr(tab + 1), {});
        }
    }
}

// The first non-blank line, read from the first 64 KiB so that sniffing a
// large file stays cheap.
std::string firstNonBlankLine(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot open for reading");
    std::string head(64 * 1024, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(in.gcount()));
    if (head.rfind("\xef\xbb\xbf", 0) == 0)
        head.erase(0, 3);
    size_t start = 0;
    while (start < head.size()) {
        size_t end = head.find('\n', start);
        if (end == std::string::npos)
            end = head.size();
        std::string line = head.substr(start, end - start);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (!isBlank(line))
            return line;
        start = end + 1;
    }
    return {};
}

bool isCaptionCsvHeader(const std::string& line)
{
    const std::vector<CsvRow> rows = parseCsv(line);
    return rows.size() == 1 && rows[0].fields.size() >= 2 && findCsvColumn(rows[0].fields, kPathColumns) >= 0
           && findCsvColumn(rows[0].fields, kCaptionColumns) >= 0;
}

}  // namespace

std::string captionFormatName(CaptionFormat format)
{
    switch (format) {
    case CaptionFormat::Auto:
        return "auto";
    case CaptionFormat::CaptionsTsv:
        return "tsv";
    case CaptionFormat::SidecarText:
        return "sidecar";
    case CaptionFormat::Csv:
        return "csv";
    case CaptionFormat::CocoJson:
        return "coco";
    case CaptionFormat::FlickrToken:
        return "flickr";
    }
    return "auto";
}

CaptionFormat parseCaptionFormat(const std::string& name)
{
    for (CaptionFormat f : {CaptionFormat::Auto, CaptionFormat::CaptionsTsv, CaptionFormat::SidecarText,
                            CaptionFormat::Csv, CaptionFormat::CocoJson, CaptionFormat::FlickrToken})
        if (captionFormatName(f) == name)
            return f;
    throw Error("unknown caption format '" + name + "'; expected auto, tsv, sidecar, csv, coco or flickr");
}

CaptionFormat detectCaptionFormat(const std::string& source)
{
    std::error_code ec;
    if (fs::is_directory(source, ec))
        return fileExists((fs::path(source) / "captions.tsv").string()) ? CaptionFormat::CaptionsTsv
                                                                          : CaptionFormat::SidecarText;
    if (!fs::is_regular_file(source, ec))
        throw Error(source + ": no such caption file or image folder");
    const std::string ext = lowerExtension(source);
    if (ext == ".json")
        return CaptionFormat::CocoJson;
    const std::string first = firstNonBlankLine(source);
    // Flickr token files are TAB-separated too; their image#N first field tells them apart.
    if (isFlickrTokenLine(first) || ext == ".token")
        return CaptionFormat::FlickrToken;
    if (ext == ".csv")
        return CaptionFormat::Csv;
    if (ext == ".tsv")
        return CaptionFormat::CaptionsTsv;
    if (first.empty())
        throw Error(source + ": empty file, no captions");
    if (isCaptionCsvHeader(first))
        return CaptionFormat::Csv;
    if (first.find('\t') != std::string::npos)
        return CaptionFormat::CaptionsTsv;
    throw Error(source + ": cannot tell the caption format from its name or first line ('" + first.substr(0, 80)
                + "'); expected path TAB caption lines, a CSV header with a path and a caption column, COCO "
                  "captions JSON or image#N TAB caption lines; name the format explicitly");
}

LoadedCaptions loadCaptions(const std::string& source, const CaptionSourceOptions& options)
{
    const CaptionFormat format =
        options.format == CaptionFormat::Auto ? detectCaptionFormat(source) : options.format;
    std::error_code ec;
    const bool isFolder = fs::is_directory(source, ec);
    if (format == CaptionFormat::SidecarText && !isFolder)
        throw Error(source + ": sidecar captions are read from a folder of images, not a file");
    // A split folder names its captions.tsv by the folder.
    const std::string file = isFolder && format == CaptionFormat::CaptionsTsv
                                 ? (fs::path(source) / "captions.tsv").string()
                                 : source;
    if (format != CaptionFormat::SidecarText && !fs::is_regular_file(file, ec))
        throw Error(file + ": no such caption file (" + captionFormatName(format) + " captions are read from a file)");

    const std::string root = !options.imageRoot.empty() ? options.imageRoot
                             : format == CaptionFormat::SidecarText ? source
                                                                   : parentDirectory(file);
    if (!fs::is_directory(root, ec))
        throw Error(root + ": image root is not a folder");
    CaptionCollector out(options.lenient, root);
    switch (format) {
    case CaptionFormat::Auto:
    case CaptionFormat::CaptionsTsv:
        readTsv(file, options.lenient, out);
        break;
    case CaptionFormat::SidecarText:
        readSidecars(source, out);
        break;
    case CaptionFormat::Csv:
        readCsv(file, out);
        break;
    case CaptionFormat::CocoJson:
        readCoco(file, out);
        break;
    case CaptionFormat::FlickrToken:
        readFlickrTokens(file, out);
        break;
    }
    LoadedCaptions result = out.take();
    result.format = format;
    result.imageRoot = root;
    if (result.captions.empty() && result.skipped.empty())
        throw Error(source + ": no captions found"
                    + (format == CaptionFormat::SidecarText
                           ? std::string(" (no photo.txt or photo.jpg.txt beside any image photo.jpg)")
                           : std::string()));
    return result;
}

}  // namespace xbt

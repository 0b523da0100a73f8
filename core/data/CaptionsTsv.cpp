#include "core/data/CaptionsTsv.h"

#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/Utf8.h"

namespace xbt {

namespace {

std::vector<std::string> splitTabs(const std::string& line)
{
    std::vector<std::string> fields;
    size_t start = 0;
    for (;;) {
        const size_t tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos)
            return fields;
        start = tab + 1;
    }
}

std::string fileLabel(const std::string& path)
{
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Empty when the line is well formed.
std::string problemWith(const std::string& line)
{
    if (!isValidUtf8(line))
        return "not valid UTF-8";
    const std::vector<std::string> fields = splitTabs(line);
    if (fields.size() < 2 || fields.size() > 3 || fields[0].empty() || fields[1].empty())
        return "expected path TAB caption [TAB category]";
    return {};
}

}  // namespace

CaptionsTsv readCaptionsTsv(const std::string& path, bool lenient)
{
    std::vector<std::string> lines = readTextLines(path);
    // A byte-order mark some editors write is not part of the first path.
    if (!lines.empty() && lines[0].rfind("\xef\xbb\xbf", 0) == 0)
        lines[0].erase(0, 3);
    CaptionsTsv result;
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        const int number = static_cast<int>(i) + 1;
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        const std::string problem = problemWith(line);
        if (!problem.empty()) {
            // Name the file as given so the user can find it; the label keeps
            // the message short when the path is long.
            const std::string message = fileLabel(path) + " line " + std::to_string(number) + ": " + problem;
            if (!lenient)
                throw Error(message + " (in " + path + ")");
            result.skipped.push_back({number, message});
            continue;
        }
        const std::vector<std::string> fields = splitTabs(line);
        result.records.push_back({fields[0], fields[1], fields.size() > 2 ? fields[2] : std::string(), number});
    }
    return result;
}

void writeCaptionsTsv(const std::string& path, const std::vector<CaptionRecord>& records)
{
    std::string text;
    for (size_t i = 0; i < records.size(); ++i) {
        const CaptionRecord& r = records[i];
        for (const std::string* field : {&r.path, &r.caption, &r.category})
            if (field->find_first_of("\t\r\n") != std::string::npos)
                throw Error(path + ": record " + std::to_string(i + 1) + " has a TAB or line break in '" + *field
                            + "'");
        if (r.path.empty() || r.caption.empty())
            throw Error(path + ": record " + std::to_string(i + 1) + " has an empty path or caption");
        text += r.path + "\t" + r.caption;
        if (!r.category.empty())
            text += "\t" + r.category;
        text += "\n";
    }
    writeFileAtomic(path, text);
}

}  // namespace xbt

#include "core/data/CsvTable.h"

#include "core/util/Utf8.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace xbt {

namespace {

std::string trimmedLower(const std::string& s)
{
    const size_t begin = s.find_first_not_of(" \t");
    if (begin == std::string::npos)
        return {};
    const size_t end = s.find_last_not_of(" \t");
    std::string out = s.substr(begin, end - begin + 1);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

bool isBlank(std::string_view s)
{
    return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Reads one row starting at text[i]; advances i past its line ending and
// `line` past every line break consumed.
CsvRow readRow(const std::string& text, size_t& i, int& line)
{
    const size_t n = text.size();
    CsvRow row;
    row.line = line;
    for (;;) {
        std::string field;
        if (i < n && text[i] == '"') {
            const int openLine = line;
            bool closed = false;
            for (++i; i < n; ++i) {
                if (text[i] == '"') {
                    if (i + 1 < n && text[i + 1] == '"') {
                        field += '"';
                        ++i;
                        continue;
                    }
                    ++i;
                    closed = true;
                    break;
                }
                if (text[i] == '\n')
                    ++line;
                field += text[i];
            }
            if (!closed) {
                row.problem = "the quoted field opened on line " + std::to_string(openLine) + " is never closed";
                row.problemLine = openLine;
                return row;
            }
            const bool atEnd = i == n || text[i] == ',' || text[i] == '\n'
                               || (text[i] == '\r' && (i + 1 == n || text[i + 1] == '\n'));
            if (!atEnd) {
                row.problem = "unexpected text after a closing quote (a quote inside a quoted field is written \"\")";
                row.problemLine = line;
                // Resume at the next line: the best guess at where the next row starts.
                const size_t next = text.find('\n', i);
                i = next == std::string::npos ? n : next + 1;
                if (next != std::string::npos)
                    ++line;
                return row;
            }
            if (i < n && text[i] == '\r')
                ++i;
        } else {
            while (i < n && text[i] != ',' && text[i] != '\n')
                field += text[i++];
            if (!field.empty() && field.back() == '\r' && (i == n || text[i] == '\n'))
                field.pop_back();
        }
        row.fields.push_back(std::move(field));
        if (i < n && text[i] == ',') {
            ++i;
            continue;
        }
        if (i < n) {
            ++i;
            ++line;
        }
        return row;
    }
}

}  // namespace

std::vector<CsvRow> parseCsv(const std::string& text)
{
    std::vector<CsvRow> rows;
    size_t i = text.rfind("\xef\xbb\xbf", 0) == 0 ? 3 : 0;
    int line = 1;
    while (i < text.size()) {
        const size_t start = i;
        CsvRow row = readRow(text, i, line);
        const std::string_view raw(text.data() + start, i - start);
        if (row.problem.empty() && isBlank(raw))
            continue;
        const size_t bad = findInvalidUtf8(raw);
        if (row.problem.empty() && bad != std::string_view::npos) {
            row.problem = "not valid UTF-8";
            row.problemLine = row.line + static_cast<int>(std::count(raw.begin(), raw.begin() + bad, '\n'));
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

int findCsvColumn(const std::vector<std::string>& header, std::initializer_list<const char*> names)
{
    for (const char* name : names)
        for (size_t c = 0; c < header.size(); ++c)
            if (trimmedLower(header[c]) == name)
                return static_cast<int>(c);
    return -1;
}

}  // namespace xbt

#pragma once
// RFC 4180 CSV as users' caption and metadata files write it: comma-separated,
// fields optionally quoted, "" for a quote inside quotes, commas and line
// breaks allowed inside quotes, \n or \r\n line endings, UTF-8. Rows keep the
// line they start on so errors can point at it. Hand-written on purpose: what
// users need from a malformed file is the line of each bad row and the choice
// to skip it, which Debian's libcsv (a callback parser that stops at the first
// error with a byte offset) does not give; the grammar itself is a few cases.

#include <initializer_list>
#include <string>
#include <vector>

namespace xbt {

struct CsvRow {
    std::vector<std::string> fields;
    int line = 0;         // 1-based line the row starts on
    std::string problem;  // empty when the row is well formed
    int problemLine = 0;  // the line the problem is on (a quoted field can span lines)
};

// Splits `text` into rows; blank lines are skipped and a leading UTF-8
// byte-order mark is ignored. Malformed rows (a quote never closed, text after
// a closing quote, invalid UTF-8) come back with `problem` set rather than
// throwing, so each caller chooses between failing and skipping them.
std::vector<CsvRow> parseCsv(const std::string& text);

// Index of the header field matching one of `names`, which are tried in order
// (earlier names win); matching ignores ASCII case and surrounding spaces.
// -1 when none matches.
int findCsvColumn(const std::vector<std::string>& header, std::initializer_list<const char*> names);

}  // namespace xbt

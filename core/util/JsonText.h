#pragma once
// Parsing JSON from files users or other programs wrote. Every failure the
// parser can raise (bad syntax, a number out of range such as 1e400, invalid
// UTF-8) becomes an xbt::Error naming the file, never a library exception
// escaping as "unexpected error"; the parser's excerpt of the input is made
// printable and short, as the file may hold anything.

#include <nlohmann/json.hpp>

#include <string>

namespace xbt {

// Throws xbt::Error "WHERE: not valid JSON (why)".
nlohmann::json parseJson(const std::string& text, const std::string& where);
// readFileBytes(path), then parseJson(text, path).
nlohmann::json readJsonFile(const std::string& path);

}  // namespace xbt

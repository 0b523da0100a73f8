#include "core/util/JsonText.h"

#include "core/util/Error.h"
#include "core/util/FileUtil.h"

namespace xbt {

namespace {

constexpr size_t kMessageLimit = 200;

// nlohmann's message without its "[json.exception.parse_error.101] " tag,
// with control and non-ASCII bytes (from the quoted input) replaced.
std::string readableMessage(const std::string& what)
{
    std::string text = what;
    if (text.rfind("[json.exception.", 0) == 0) {
        const size_t close = text.find("] ");
        if (close != std::string::npos)
            text.erase(0, close + 2);
    }
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        out.push_back(u < 0x20 || u >= 0x7f ? '?' : c);
        if (out.size() >= kMessageLimit) {
            out += "...";
            break;
        }
    }
    return out;
}

}  // namespace

nlohmann::json parseJson(const std::string& text, const std::string& where)
{
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(where + ": not valid JSON (" + readableMessage(e.what()) + ")");
    }
}

nlohmann::json readJsonFile(const std::string& path) { return parseJson(readFileBytes(path), path); }

}  // namespace xbt

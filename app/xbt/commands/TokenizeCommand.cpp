// `xbt tokenize`: CLIP token ids for captions, one JSON line in, one out, so
// that the ids can be diffed against the Python reference tokenizer.
#include "app/xbt/Command.h"
#include "core/text/ClipTokenizer.h"
#include "core/text/MergesLocator.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace xbt::cli {

namespace {

// nlohmann's messages start with "[json.exception.parse_error.101] "; the
// user needs the reason, not the library's error code.
std::string withoutExceptionTag(const std::string& what)
{
    if (what.rfind("[json.exception.", 0) == 0) {
        const size_t end = what.find("] ");
        if (end != std::string::npos)
            return what.substr(end + 2);
    }
    return what;
}

bool isBlank(const std::string& line) { return line.find_first_not_of(" \t\r\n") == std::string::npos; }

// Invalid UTF-8 in the echoed input must not stop the output line from being written.
std::string dumpLine(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

int runTokenize(const CliArgs& args)
{
    MergesSearch search;
    search.explicitPath = args.value("merges");
    const ClipTokenizer tokenizer(locateClipMerges(search));

    std::ios::sync_with_stdio(false);
    std::string line;
    size_t lineNumber = 0;
    bool anyFailed = false;
    while (std::getline(std::cin, line)) {
        ++lineNumber;
        if (isBlank(line))
            continue;
        std::string why;
        nlohmann::json out;
        try {
            const nlohmann::json in = nlohmann::json::parse(line);
            const auto text = in.is_object() ? in.find("text") : in.end();
            if (!in.is_object() || text == in.end())
                why = "expected an object with a \"text\" field";
            else if (!text->is_string())
                why = "\"text\" must be a string";
            else
                out["ids"] = tokenizer.encode(text->get<std::string>());
        } catch (const nlohmann::json::exception& e) {
            why = "invalid JSON: " + withoutExceptionTag(e.what());
        }
        if (!why.empty()) {
            anyFailed = true;
            std::cerr << "line " << lineNumber << ": " << why << "\n";
            // An error row keeps output line i paired with input line i.
            out = nlohmann::json{{"error", why}};
        }
        std::cout << dumpLine(out) << '\n';
    }
    std::cout.flush();
    return anyFailed ? kExitPartial : kExitOk;
}

}  // namespace

Command makeTokenizeCommand()
{
    return {
        "tokenize",
        "CLIP token ids of captions: JSON lines {\"text\": ...} on stdin, {\"ids\": [...]} on stdout",
        "xbt tokenize [--merges FILE] < captions.jsonl",
        {
            {"merges", "FILE",
             "CLIP BPE merges file (bpe_simple_vocab_16e6.txt[.gz]); default: $XBT_CLIP_MERGES, then the "
             "clip/open_clip Python packages"},
        },
        runTokenize,
    };
}

}  // namespace xbt::cli

#include "core/text/WordTokenizer.h"

#include "core/util/Sha256.h"

#include <cctype>

namespace xbt {

WordTokenizer::WordTokenizer(const std::vector<std::string>& words) : words_(words)
{
    Sha256 hash;
    hash.update("sample-words\n");
    for (size_t i = 0; i < words_.size(); ++i) {
        ids_.emplace(words_[i], static_cast<int64_t>(i) + 4);
        hash.update(words_[i] + "\n");
    }
    fingerprint_ = hash.hexDigest();
}

std::vector<std::string> WordTokenizer::splitWords(const std::string& text)
{
    std::vector<std::string> out;
    std::string word;
    auto flush = [&] {
        if (!word.empty())
            out.push_back(std::move(word));
        word.clear();
    };
    for (unsigned char c : text) {
        // Bytes >= 0x80 (non-ASCII UTF-8) stay inside words: such a word is
        // simply unknown, never split into garbage.
        if (std::isalnum(c) || c >= 0x80 || c == '\'') {
            word.push_back(static_cast<char>(std::tolower(c)));
        } else {
            flush();
            if (std::ispunct(c))
                out.emplace_back(1, static_cast<char>(c));
        }
    }
    flush();
    return out;
}

std::vector<int64_t> WordTokenizer::encode(const std::string& text) const
{
    std::vector<int64_t> ids;
    for (const std::string& w : splitWords(text)) {
        const auto it = ids_.find(w);
        if (it != ids_.end())
            ids.push_back(it->second);
        else if (!(w.size() == 1 && std::ispunct(static_cast<unsigned char>(w[0]))))
            ids.push_back(kUnknown);  // unknown punctuation is dropped, unknown words are not
    }
    return ids;
}

std::vector<int64_t> WordTokenizer::tokenizeBatch(const std::vector<std::string>& texts, int contextLength) const
{
    const size_t L = static_cast<size_t>(contextLength);
    std::vector<int64_t> out(texts.size() * L, kPad);
    for (size_t i = 0; i < texts.size(); ++i) {
        std::vector<int64_t> ids = encode(texts[i]);
        if (ids.size() + 2 > L)
            ids.resize(L - 2);
        int64_t* row = out.data() + i * L;
        row[0] = kStart;
        std::copy(ids.begin(), ids.end(), row + 1);
        row[ids.size() + 1] = kEnd;
    }
    return out;
}

}  // namespace xbt

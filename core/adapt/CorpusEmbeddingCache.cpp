#include "core/adapt/CorpusEmbeddingCache.h"

#include "core/workspace/WorkspaceLayout.h"

#include "core/util/JsonText.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/NpyFile.h"
#include "core/util/Sha256.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <unordered_set>

namespace xbt {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string trim(const std::string& s)
{
    const size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::optional<Matrix> readCached(const std::string& path, int64_t rows, int64_t cols)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return std::nullopt;
    try {
        Matrix m = readNpyMatrix(path);
        if (m.rows == rows && m.cols == cols)
            return m;
    } catch (const Error&) {
        // A damaged entry is embedded again.
    }
    return std::nullopt;
}

void writeMatrixAtomic(const std::string& path, const Matrix& m)
{
    const std::string tmp = path + ".tmp";
    writeNpy(tmp, m);
    fs::rename(tmp, path);
}

}  // namespace

TextCorpus loadTextCorpus(const std::string& file)
{
    if (!fileExists(file))
        throw Error("corpus file " + file + " does not exist (expected a text file with one sentence per line)");
    TextCorpus corpus;
    corpus.file = file;
    std::unordered_set<std::string> seen;
    std::string joined;
    for (const std::string& line : readTextLines(file)) {
        ++corpus.lines;
        std::string sentence = trim(line);
        if (sentence.empty() || !seen.insert(sentence).second)
            continue;
        joined += sentence + "\n";
        corpus.sentences.push_back(std::move(sentence));
    }
    if (corpus.sentences.empty())
        throw Error("corpus file " + file + " holds no sentence (expected one sentence per line)");
    corpus.sha256 = sha256Hex(joined);
    return corpus;
}

CorpusEmbeddingCache::CorpusEmbeddingCache(std::string workspaceDir)
    : root_(WorkspaceLayout(workspaceDir).embeddingCacheDir())
{
}

std::string CorpusEmbeddingCache::folder(const std::string& fingerprint) const
{
    // Read and written through: both must be the workspace's own folders.
    const char* const rule = "the workspace's embedding cache must be a real folder inside it";
    ensureRealFolder(root_, rule);
    const std::string dir = (fs::path(root_) / fingerprint).string();
    ensureRealFolder(dir, rule);
    return dir;
}

std::string CorpusEmbeddingCache::corpusPath(const std::string& fingerprint, const TextCorpus& corpus) const
{
    return (fs::path(folder(fingerprint)) / ("corpus-" + corpus.sha256 + ".npy")).string();
}

std::optional<Matrix> CorpusEmbeddingCache::cachedCorpus(const std::string& fingerprint, const TextCorpus& corpus,
                                                         int64_t dims)
{
    auto cached = readCached(corpusPath(fingerprint, corpus), static_cast<int64_t>(corpus.sentences.size()), dims);
    if (cached)
        ++hits_;
    return cached;
}

Matrix CorpusEmbeddingCache::corpus(EmbeddingModel& model, const TextCorpus& corpus, const EmbedOptions& options,
                                    const ProgressCallback& progress, const CancelToken& cancel)
{
    if (auto cached = cachedCorpus(model.fingerprint(), corpus, model.embeddingDim()))
        return *cached;
    BatchEmbedder embedder(model, options);
    Matrix m = embedder.embedTexts(corpus.sentences, progress, cancel);
    writeMatrixAtomic(corpusPath(model.fingerprint(), corpus), m);
    ++writes_;
    return m;
}

const std::string& CorpusEmbeddingCache::splitKey(const CaptionedSplit& split)
{
    const std::string root = fs::absolute(split.root).lexically_normal().string();
    auto it = splitKeys_.find(root);
    if (it != splitKeys_.end())
        return it->second;
    Sha256 h;
    // A split of unlabelled images (loadImageFolderSplit) has no captions to hash.
    if (!split.captions.empty())
        h.update(readFileBytes((fs::path(split.root) / "captions.tsv").string()));
    for (const std::string& image : split.images) {
        h.update(image + '\0');
        try {
            h.update(sha256File((fs::path(split.root) / image).string()));
        } catch (const Error&) {
            h.update(std::string("unreadable"));  // embedding reports it as a failure
        }
    }
    return splitKeys_[root] = h.hexDigest();
}

std::optional<SplitEmbeddings> CorpusEmbeddingCache::cachedSplit(const std::string& fingerprint,
                                                                 const CaptionedSplit& split)
{
    const fs::path base = fs::path(folder(fingerprint)) / ("split-" + splitKey(split));
    const std::string meta = base.string() + ".json";
    if (!fileExists(meta))
        return std::nullopt;
    SplitEmbeddings out;
    try {
        const json j = readJsonFile(meta);
        const int64_t dims = j.at("dims").get<int64_t>();
        out.embeddedImages = j.at("embedded_images").get<std::vector<size_t>>();
        for (const json& f : j.at("failures"))
            out.failures.push_back({f.at("label").get<std::string>(), f.at("reason").get<std::string>()});
        // How long embedding the images took when they were embedded: the
        // model's measured rate outlives the cache hit (upgrade decision table).
        out.imageSeconds = j.value("image_seconds", 0.0);
        auto images = readCached(base.string() + ".images.npy", static_cast<int64_t>(out.embeddedImages.size()), dims);
        // A split without captions (unlabelled images) has no texts to read back.
        auto texts = split.captions.empty()
                         ? std::optional<Matrix>(Matrix(0, dims))
                         : readCached(base.string() + ".texts.npy", static_cast<int64_t>(split.captions.size()), dims);
        if (!images || !texts)
            return std::nullopt;
        out.images = std::move(*images);
        out.texts = std::move(*texts);
    } catch (const json::exception&) {
        return std::nullopt;
    }
    ++hits_;
    return out;
}

SplitEmbeddings CorpusEmbeddingCache::split(EmbeddingModel& model, const CaptionedSplit& split,
                                            const EmbedOptions& options, const ProgressCallback& progress,
                                            const CancelToken& cancel)
{
    if (auto cached = cachedSplit(model.fingerprint(), split))
        return std::move(*cached);
    SplitEmbeddings e = embedSplit(model, split, options, progress, cancel);
    cancel.throwIfCancelled();
    const std::string base = (fs::path(folder(model.fingerprint())) / ("split-" + splitKey(split))).string();
    if (e.images.rows > 0)
        writeMatrixAtomic(base + ".images.npy", e.images);
    writeMatrixAtomic(base + ".texts.npy", e.texts);
    json failures = json::array();
    for (const ImageFailure& f : e.failures)
        failures.push_back({{"label", f.label}, {"reason", f.reason}});
    writeFileAtomic(base + ".json", json{{"split", split.root},
                                         {"dims", model.embeddingDim()},
                                         {"embedded_images", e.embeddedImages},
                                         {"image_seconds", e.imageSeconds},
                                         {"failures", failures}}
                                        .dump());
    ++writes_;
    return e;
}

}  // namespace xbt

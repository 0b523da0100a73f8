#pragma once
// Embeddings of a text corpus or a split, made once per model and kept in the
// workspace, so that training again (another method, other settings, a
// resumed run) does not embed the same data again:
//
//   WS/cache/embeddings/<model fingerprint>/corpus-<sha256>.npy
//   WS/cache/embeddings/<model fingerprint>/split-<sha256>.{images,texts}.npy + .json
//
// The corpus key is the hash of its sentences; a split's key hashes its
// captions.tsv and every image's bytes, so an edited file is embedded anew.
// Entries are written atomically (the .json last), so a cancelled or crashed
// run leaves no half entry. Lookups by fingerprint need no model: stage 2
// reads the old model's validation embeddings this way.

#include "core/data/CaptionedSplit.h"
#include "core/embed/SplitEmbedder.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace xbt {

struct TextCorpus {
    std::string file;
    std::vector<std::string> sentences;  // distinct, non-empty, trimmed, in order of first appearance
    int64_t lines = 0;                   // lines in the file
    std::string sha256;                  // of the sentences, one per line
};

// Errors name the file and say what a corpus file is.
TextCorpus loadTextCorpus(const std::string& file);

class CorpusEmbeddingCache {
public:
    explicit CorpusEmbeddingCache(std::string workspaceDir);

    Matrix corpus(EmbeddingModel& model, const TextCorpus& corpus, const EmbedOptions& options,
                  const ProgressCallback& progress = {}, const CancelToken& cancel = {});
    SplitEmbeddings split(EmbeddingModel& model, const CaptionedSplit& split, const EmbedOptions& options,
                          const ProgressCallback& progress = {}, const CancelToken& cancel = {});
    // The cached embeddings of `corpus` by the model with this fingerprint
    // and embedding size, if any.
    std::optional<Matrix> cachedCorpus(const std::string& fingerprint, const TextCorpus& corpus, int64_t dims);
    // The cached embeddings of `split` by the model with this fingerprint, if any.
    std::optional<SplitEmbeddings> cachedSplit(const std::string& fingerprint, const CaptionedSplit& split);

    // The model's cache folder, made when missing; refuses links.
    std::string folder(const std::string& fingerprint) const;
    // The content key of a split (computed once per folder and object).
    const std::string& splitKey(const CaptionedSplit& split);
    // Counts for tests and logs: entries found and entries written.
    int hits() const { return hits_; }
    int writes() const { return writes_; }

private:
    std::string corpusPath(const std::string& fingerprint, const TextCorpus& corpus) const;

    std::string root_;
    std::map<std::string, std::string> splitKeys_;
    int hits_ = 0;
    int writes_ = 0;
};

}  // namespace xbt

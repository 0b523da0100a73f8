#pragma once
// Image embeddings made elsewhere, read for import into a gallery so that a
// user's existing index need not be recomputed. Two layouts are read: the
// `xbt embed` output (E.npy + E.npy.txt) and the folder clip-retrieval writes
// (img_emb/img_emb_<i>.npy + metadata/metadata_<i>.csv). A bad import would
// silently ruin every search, so the rows are checked before anything is
// returned: counts, dimension, finite values, unit length, unique paths.
// docs/data-formats.md describes both layouts.

#include "core/util/Matrix.h"

#include <cstdint>
#include <string>
#include <vector>

namespace xbt {

struct EmbeddingImportOptions {
    // The gallery model's embedding dimension; 0 accepts any.
    int64_t expectedDim = 0;
    // Scale rows that are not unit length instead of refusing them.
    bool normalize = false;
    // For a .npy source: the path listing, one per line in row order.
    // Empty: <source>.txt (what `xbt embed` writes beside its matrix).
    std::string pathsFile;
};

struct ImportedEmbeddings {
    Matrix embeddings;               // [N, D] float32, every row unit length
    std::vector<std::string> paths;  // row i's image, exactly as the source wrote it
    int64_t renormalisedRows = 0;    // rows scaled to unit length because normalize was set
    std::string sourceDescription;   // what was read, for logs and the gallery's provenance
};

// `source` is a .npy file or a clip-retrieval output folder. Throws
// xbt::Error naming the file (and row or line) for anything that fails a check.
ImportedEmbeddings importEmbeddings(const std::string& source, const EmbeddingImportOptions& options = {});

// Rows recomputed by the gallery's model must match the imported ones this
// closely (cosine) for the import to be trusted.
constexpr double kEmbeddingAgreementMinCosine = 0.99;

struct EmbeddingAgreement {
    std::vector<float> cosine;  // per row
    double minCosine = 0.0;
    double meanCosine = 0.0;
    int64_t worstRow = -1;      // the row with minCosine
    bool agree = false;         // minCosine >= kEmbeddingAgreementMinCosine
    std::string message;        // the verdict for the user, with what to try when they disagree
};

// Row-wise cosine between imported embeddings and the same images embedded
// again by the gallery's model. Throws xbt::Error when the shapes differ or
// there are no rows.
EmbeddingAgreement compareEmbeddings(const Matrix& imported, const Matrix& recomputed);

}  // namespace xbt

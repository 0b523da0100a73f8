#include "core/data/EmbeddingImport.h"

#include "core/data/CsvTable.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/NpyFile.h"
#include "core/util/Utf8.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <unordered_map>

namespace xbt {

namespace {

namespace fs = std::filesystem;

// float16 storage alone moves a unit row's norm by far less than this.
constexpr double kUnitNormTolerance = 1e-3;

const std::initializer_list<const char*> kMetadataPathColumns = {"image_path", "path", "filepath", "file_path",
                                                                  "url"};

std::string fileLabel(const std::string& path)
{
    return fs::path(path).filename().string();
}

std::string number(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", value);
    return text;
}

struct PathList {
    std::vector<std::string> paths;
    std::vector<int> lines;  // 1-based line of each path in its file
};

// One path per line in row order, escaped as escapeLine writes them (xbt
// embed's listing). Trailing blank lines are tolerated (editors add them); a
// blank line between paths would shift every later row, so it is an error.
PathList readPathList(const std::string& file)
{
    std::vector<std::string> lines = readTextLines(file);
    if (!lines.empty() && lines[0].rfind("\xef\xbb\xbf", 0) == 0)
        lines[0].erase(0, 3);
    while (!lines.empty() && lines.back().find_first_not_of(" \t") == std::string::npos)
        lines.pop_back();
    PathList list;
    for (size_t i = 0; i < lines.size(); ++i) {
        const int line = static_cast<int>(i) + 1;
        if (lines[i].find_first_not_of(" \t") == std::string::npos)
            throw Error(fileLabel(file) + " line " + std::to_string(line)
                        + ": empty path; expected one image path per line, in row order (in " + file + ")");
        list.paths.push_back(unescapeLine(lines[i]));
        list.lines.push_back(line);
    }
    return list;
}

PathList readMetadataCsv(const std::string& file)
{
    const std::vector<CsvRow> rows = parseCsv(readFileBytes(file));
    if (rows.empty())
        throw Error(file + ": empty CSV; expected a header row with an image path column");
    const CsvRow& header = rows.front();
    const auto at = [&](int line) { return fileLabel(file) + " line " + std::to_string(line) + ": "; };
    if (!header.problem.empty())
        throw Error(at(header.problemLine) + header.problem + " (in " + file + ")");
    const int column = findCsvColumn(header.fields, kMetadataPathColumns);
    if (column < 0) {
        const auto list = [](const auto& names) {
            std::string out;
            for (const auto& n : names)
                out += (out.empty() ? "" : ", ") + std::string(n);
            return out;
        };
        throw Error(at(header.line) + "the header (" + list(header.fields)
                    + ") has no image path column; expected one of " + list(kMetadataPathColumns) + " (in " + file
                    + ")");
    }
    PathList list;
    for (size_t r = 1; r < rows.size(); ++r) {
        const CsvRow& row = rows[r];
        if (!row.problem.empty())
            throw Error(at(row.problemLine) + row.problem + " (in " + file + ")");
        if (row.fields.size() != header.fields.size())
            throw Error(at(row.line) + "expected " + std::to_string(header.fields.size()) + " columns, found "
                        + std::to_string(row.fields.size()) + " (in " + file + ")");
        const std::string& path = row.fields[static_cast<size_t>(column)];
        if (path.find_first_not_of(" \t") == std::string::npos)
            throw Error(at(row.line) + "empty image path (in " + file + ")");
        list.paths.push_back(path);
        list.lines.push_back(row.line);
    }
    return list;
}

// The rows gathered so far, with enough provenance per row for messages that
// name the shard file and the line of the path.
class ImportedRows {
public:
    void appendShard(const std::string& npyFile, const std::string& pathsFile, PathList list)
    {
        const Matrix m = readNpyMatrix(npyFile);
        if (m.rows != static_cast<int64_t>(list.paths.size()))
            throw Error(npyFile + " has " + std::to_string(m.rows) + " rows but " + pathsFile + " lists "
                        + std::to_string(list.paths.size())
                        + " paths; each row needs exactly one path, in row order");
        if (!shards_.empty() && m.cols != matrix_.cols)
            throw Error(npyFile + " has " + std::to_string(m.cols) + " dimensions but " + shards_.front().npyFile
                        + " has " + std::to_string(matrix_.cols) + "; every shard must come from the same model");
        shards_.push_back({npyFile, pathsFile, matrix_.rows});
        if (matrix_.rows == 0)
            matrix_.cols = m.cols;
        matrix_.appendRows(m);
        paths_.insert(paths_.end(), list.paths.begin(), list.paths.end());
        lines_.insert(lines_.end(), list.lines.begin(), list.lines.end());
    }

    // Runs every check; returns how many rows were scaled to unit length.
    int64_t validate(const std::string& source, const EmbeddingImportOptions& options)
    {
        if (matrix_.rows == 0 || matrix_.cols == 0)
            throw Error(source + ": no embeddings (shape [" + std::to_string(matrix_.rows) + ", "
                        + std::to_string(matrix_.cols) + "])");
        if (options.expectedDim > 0 && matrix_.cols != options.expectedDim)
            throw Error(source + ": the embeddings have " + std::to_string(matrix_.cols)
                        + " dimensions but the gallery's model makes " + std::to_string(options.expectedDim)
                        + "; import embeddings made by the same model");
        checkUniquePaths();
        for (int64_t r = 0; r < matrix_.rows; ++r) {
            const float* row = matrix_.row(r);
            if (!std::all_of(row, row + matrix_.cols, [](float v) { return std::isfinite(v); }))
                throw Error(rowName(r) + ": holds NaN or infinity; the embeddings are corrupt");
        }
        return checkUnitLength(source, options.normalize);
    }

    size_t shardCount() const { return shards_.size(); }

    ImportedEmbeddings take()
    {
        ImportedEmbeddings out;
        out.embeddings = std::move(matrix_);
        out.paths = std::move(paths_);
        return out;
    }

private:
    struct Shard {
        std::string npyFile;
        std::string pathsFile;
        int64_t firstRow = 0;
    };

    const Shard& shardOf(int64_t row) const
    {
        const auto it = std::upper_bound(shards_.begin(), shards_.end(), row,
                                         [](int64_t r, const Shard& s) { return r < s.firstRow; });
        return *(it - 1);
    }

    // "img_emb_1.npy row 3 (photos/cat.jpg)": rows counted from 0 within the file, as NumPy does.
    std::string rowName(int64_t row) const
    {
        const Shard& s = shardOf(row);
        return fileLabel(s.npyFile) + " row " + std::to_string(row - s.firstRow) + " ("
               + paths_[static_cast<size_t>(row)] + ")";
    }

    std::string pathLocation(int64_t row) const
    {
        return fileLabel(shardOf(row).pathsFile) + " line " + std::to_string(lines_[static_cast<size_t>(row)]);
    }

    void checkUniquePaths() const
    {
        std::unordered_map<std::string, int64_t> firstRow;
        for (int64_t r = 0; r < static_cast<int64_t>(paths_.size()); ++r) {
            const auto [it, inserted] = firstRow.emplace(paths_[static_cast<size_t>(r)], r);
            if (!inserted)
                throw Error(pathLocation(r) + ": duplicate path '" + it->first + "' (first on "
                            + pathLocation(it->second) + "); each image can have only one embedding");
        }
    }

    int64_t checkUnitLength(const std::string& source, bool normalize)
    {
        int64_t offending = 0;
        int64_t first = -1;
        double firstNorm = 0.0;
        for (int64_t r = 0; r < matrix_.rows; ++r) {
            const float* row = matrix_.row(r);
            double squares = 0.0;
            for (int64_t c = 0; c < matrix_.cols; ++c)
                squares += static_cast<double>(row[c]) * row[c];
            const double norm = std::sqrt(squares);
            if (std::abs(norm - 1.0) <= kUnitNormTolerance)
                continue;
            if (offending++ == 0) {
                first = r;
                firstNorm = norm;
            }
            if (!normalize)
                continue;
            if (norm == 0.0)
                throw Error(rowName(r) + ": all zeros; such a row cannot be normalised");
            float* out = matrix_.row(r);
            for (int64_t c = 0; c < matrix_.cols; ++c)
                out[c] = static_cast<float>(out[c] / norm);
        }
        if (offending > 0 && !normalize)
            throw Error(source + ": " + std::to_string(offending) + " of " + std::to_string(matrix_.rows)
                        + " rows are not L2-normalised (unit length within " + number(kUnitNormTolerance)
                        + "); the first is " + rowName(first) + " with norm " + number(firstNorm)
                        + ". Check that these are the model's final embeddings, or import with the "
                          "normalize option to scale them to unit length");
        return offending;
    }

    Matrix matrix_;
    std::vector<std::string> paths_;
    std::vector<int> lines_;
    std::vector<Shard> shards_;
};

ImportedEmbeddings importNpyWithList(const std::string& npyFile, const EmbeddingImportOptions& options)
{
    const std::string pathsFile = options.pathsFile.empty() ? npyFile + ".txt" : options.pathsFile;
    if (!fileExists(pathsFile))
        throw Error(npyFile + ": no path listing " + pathsFile
                    + "; expected one image path per line in row order, as `xbt embed` writes beside its matrix");
    ImportedRows rows;
    rows.appendShard(npyFile, pathsFile, readPathList(pathsFile));
    const int64_t renormalised = rows.validate(npyFile, options);
    ImportedEmbeddings out = rows.take();
    out.renormalisedRows = renormalised;
    out.sourceDescription = npyFile + " with paths from " + pathsFile + ": " + std::to_string(out.embeddings.rows)
                            + " x " + std::to_string(out.embeddings.cols);
    return out;
}

// Files named <prefix><number>.<ext> in `folder`, by number.
std::map<int64_t, std::vector<fs::path>> numberedFiles(const fs::path& folder, const std::regex& pattern)
{
    std::map<int64_t, std::vector<fs::path>> files;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        std::smatch m;
        const std::string name = it->path().filename().string();
        if (std::regex_match(name, m, pattern))
            files[std::stoll(m[1].str())].push_back(it->path());
    }
    if (ec)
        throw Error(folder.string() + ": cannot list (" + ec.message() + ")");
    return files;
}

std::string metadataFor(int64_t shard, const std::vector<fs::path>& candidates, const std::string& npyFile)
{
    for (const char* ext : {".csv", ".txt"})
        for (const fs::path& p : candidates)
            if (p.extension() == ext)
                return p.string();
    for (const fs::path& p : candidates)
        if (p.extension() == ".parquet") {
            const std::string name = p.filename().string();
            const std::string csv = p.stem().string() + ".csv";
            throw Error(p.string() + ": parquet metadata cannot be read here; convert it to " + csv
                        + " beside it, e.g. python3 -c \"import pandas as pd; pd.read_parquet('" + name
                        + "').to_csv('" + csv + "', index=False)\" (run in " + p.parent_path().string() + ")");
        }
    throw Error(npyFile + ": no metadata for shard " + std::to_string(shard)
                + "; expected metadata/metadata_" + std::to_string(shard) + ".csv (or .txt)");
}

ImportedEmbeddings importClipRetrievalFolder(const std::string& folder, const EmbeddingImportOptions& options)
{
    const fs::path embeddingDir = fs::path(folder) / "img_emb";
    const fs::path metadataDir = fs::path(folder) / "metadata";
    std::error_code ec;
    if (!fs::is_directory(embeddingDir, ec) || !fs::is_directory(metadataDir, ec))
        throw Error(folder + ": expected a clip-retrieval output folder with img_emb/img_emb_<i>.npy and "
                             "metadata/metadata_<i>.csv, or an .npy file");
    const auto embeddings = numberedFiles(embeddingDir, std::regex("img_emb_(\\d{1,18})\\.npy"));
    const auto metadata = numberedFiles(metadataDir, std::regex("metadata_(\\d{1,18})\\.(csv|txt|parquet)"));
    if (embeddings.empty())
        throw Error(embeddingDir.string() + ": no img_emb_<i>.npy files");
    for (const auto& [shard, files] : metadata)
        if (embeddings.count(shard) == 0)
            throw Error(files.front().string() + ": no matching img_emb/img_emb_" + std::to_string(shard)
                        + ".npy; is the embedding shard missing?");
    ImportedRows rows;
    for (const auto& [shard, files] : embeddings) {
        const std::string npyFile = files.front().string();
        const auto meta = metadata.find(shard);
        const std::string metaFile =
            metadataFor(shard, meta == metadata.end() ? std::vector<fs::path>() : meta->second, npyFile);
        rows.appendShard(npyFile, metaFile,
                         fs::path(metaFile).extension() == ".csv" ? readMetadataCsv(metaFile) : readPathList(metaFile));
    }
    const int64_t renormalised = rows.validate(folder, options);
    const size_t shardCount = rows.shardCount();
    ImportedEmbeddings out = rows.take();
    out.renormalisedRows = renormalised;
    out.sourceDescription = "clip-retrieval folder " + folder + ": " + std::to_string(shardCount) + " shard"
                            + (shardCount == 1 ? "" : "s") + ", " + std::to_string(out.embeddings.rows) + " x "
                            + std::to_string(out.embeddings.cols);
    return out;
}

}  // namespace

ImportedEmbeddings importEmbeddings(const std::string& source, const EmbeddingImportOptions& options)
{
    std::error_code ec;
    ImportedEmbeddings out;
    if (fs::is_directory(source, ec))
        out = importClipRetrievalFolder(source, options);
    else if (fs::is_regular_file(source, ec))
        out = importNpyWithList(source, options);
    else
        throw Error(source + ": no such .npy file or clip-retrieval folder");
    if (out.renormalisedRows > 0)
        out.sourceDescription += "; " + std::to_string(out.renormalisedRows)
                                 + (out.renormalisedRows == 1 ? " row" : " rows") + " scaled to unit length";
    return out;
}

EmbeddingAgreement compareEmbeddings(const Matrix& imported, const Matrix& recomputed)
{
    if (imported.rows != recomputed.rows || imported.cols != recomputed.cols)
        throw Error("cannot compare embeddings: imported [" + std::to_string(imported.rows) + " x "
                    + std::to_string(imported.cols) + "], recomputed [" + std::to_string(recomputed.rows) + " x "
                    + std::to_string(recomputed.cols) + "]");
    if (imported.rows == 0)
        throw Error("cannot compare embeddings: no rows");
    EmbeddingAgreement a;
    a.cosine.resize(static_cast<size_t>(imported.rows));
    double sum = 0.0;
    for (int64_t r = 0; r < imported.rows; ++r) {
        const float* x = imported.row(r);
        const float* y = recomputed.row(r);
        double dot = 0.0, xx = 0.0, yy = 0.0;
        for (int64_t c = 0; c < imported.cols; ++c) {
            dot += static_cast<double>(x[c]) * y[c];
            xx += static_cast<double>(x[c]) * x[c];
            yy += static_cast<double>(y[c]) * y[c];
        }
        // A zero row points nowhere: count it as unrelated.
        const double cosine = xx > 0.0 && yy > 0.0 ? dot / std::sqrt(xx * yy) : 0.0;
        a.cosine[static_cast<size_t>(r)] = static_cast<float>(cosine);
        sum += cosine;
        if (a.worstRow < 0 || cosine < a.minCosine) {
            a.minCosine = cosine;
            a.worstRow = r;
        }
    }
    a.meanCosine = sum / static_cast<double>(imported.rows);
    a.agree = a.minCosine >= kEmbeddingAgreementMinCosine;
    const std::string figures = "min cosine " + number(a.minCosine) + " (row " + std::to_string(a.worstRow)
                                + "), mean " + number(a.meanCosine) + " over " + std::to_string(imported.rows)
                                + " rows";
    if (a.agree)
        a.message = "imported embeddings agree with the model's: " + figures;
    else
        a.message = "imported embeddings disagree with the model's: " + figures + ", need at least "
                    + number(kEmbeddingAgreementMinCosine)
                    + ". They were probably made with a different preprocessing (resize, crop, colour "
                      "normalisation) or a different model version or checkpoint; import embeddings made by "
                      "this model, or re-index the images";
    return a;
}

}  // namespace xbt

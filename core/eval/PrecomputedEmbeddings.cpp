#include "core/eval/PrecomputedEmbeddings.h"

#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/NpyFile.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

namespace xbt {

namespace fs = std::filesystem;

namespace {

std::string trimmed(const std::string& s)
{
    const size_t b = s.find_first_not_of(" \t\r");
    const size_t e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

Matrix loadRows(const fs::path& file)
{
    Matrix m = readNpyMatrix(file.string());
    if (m.rows == 0)
        throw Error(file.string() + ": holds no rows");
    bool unitRows = true;
    for (int64_t r = 0; r < m.rows; ++r) {
        double norm = 0;
        for (int64_t c = 0; c < m.cols; ++c) {
            const float v = m.at(r, c);
            if (!std::isfinite(v))
                throw Error(file.string() + ": row " + std::to_string(r) + " holds NaN or infinity");
            norm += static_cast<double>(v) * v;
        }
        if (norm == 0)
            throw Error(file.string() + ": row " + std::to_string(r) + " is all zeros");
        if (std::abs(norm - 1.0) > 1e-5)
            unitRows = false;
    }
    // Rows already of unit length are kept bit for bit: renormalising moves
    // scores by an ulp, enough to reorder near-ties (e.g. a bag-of-words
    // model's word-order twins) and make the numbers differ from `xbt eval`
    // on the same embeddings.
    if (!unitRows)
        normalizeRows(m);
    return m;
}

}  // namespace

PrecomputedEmbeddings loadPrecomputedEmbeddings(const std::string& dir)
{
    const fs::path root(dir);
    if (!fs::is_directory(root))
        throw Error(dir + ": not a folder (expected <space>_img.npy, <space>_txt.npy and truth.tsv)");
    const fs::path truthFile = root / "truth.tsv";
    if (!fs::exists(truthFile))
        throw Error(truthFile.string() + ": missing; it lists, for each text row, its image row");

    PrecomputedEmbeddings out;
    CaptionedSplit& split = out.split;
    split.root = dir;
    int64_t lineNo = 0;
    std::vector<std::string> categoryOfText;
    for (const std::string& raw : readTextLines(truthFile.string())) {
        ++lineNo;
        const std::string line = trimmed(raw);
        if (line.empty() || line[0] == '#')
            continue;
        const size_t tab = line.find('\t');
        const std::string rowText = trimmed(line.substr(0, tab));
        char* end = nullptr;
        const long long row = std::strtoll(rowText.c_str(), &end, 10);
        if (rowText.empty() || *end != '\0' || row < 0)
            throw Error(truthFile.string() + ":" + std::to_string(lineNo) + ": expected an image row number, got '" +
                        rowText + "'");
        split.captionImage.push_back(row);
        categoryOfText.push_back(tab == std::string::npos ? std::string() : trimmed(line.substr(tab + 1)));
    }
    if (split.captionImage.empty())
        throw Error(truthFile.string() + ": lists no text (one image row per text row is needed)");

    std::map<std::string, fs::path> imageFiles, textFiles;
    for (const auto& entry : fs::directory_iterator(root)) {
        const std::string name = entry.path().filename().string();
        if (name.size() > 8 && name.compare(name.size() - 8, 8, "_img.npy") == 0)
            imageFiles[name.substr(0, name.size() - 8)] = entry.path();
        else if (name.size() > 8 && name.compare(name.size() - 8, 8, "_txt.npy") == 0)
            textFiles[name.substr(0, name.size() - 8)] = entry.path();
    }
    for (const char* required : {"old", "new"})
        if (!imageFiles.count(required) || !textFiles.count(required))
            throw Error(dir + ": " + required + "_img.npy and " + required + "_txt.npy are required");
    std::set<std::string> names;
    for (const auto& [n, p] : imageFiles)
        names.insert(n);
    for (const auto& [n, p] : textFiles)
        names.insert(n);

    int64_t imageCount = -1;
    const int64_t textCount = static_cast<int64_t>(split.captionImage.size());
    std::vector<std::string> order = {"old", "new"};
    for (const std::string& n : names)
        if (n != "old" && n != "new")
            order.push_back(n);
    for (const std::string& n : order) {
        EmbeddingSpace s;
        s.name = n;
        s.model = n;
        s.fingerprint = n;
        if (imageFiles.count(n)) {
            s.images = loadRows(imageFiles[n]);
            if (imageCount < 0)
                imageCount = s.images.rows;
            else if (s.images.rows != imageCount)
                throw Error(imageFiles[n].string() + ": " + std::to_string(s.images.rows) + " rows, but old_img.npy has " +
                            std::to_string(imageCount));
        }
        if (textFiles.count(n)) {
            s.texts = loadRows(textFiles[n]);
            if (s.texts.rows != textCount)
                throw Error(textFiles[n].string() + ": " + std::to_string(s.texts.rows) + " rows, but truth.tsv lists " +
                            std::to_string(textCount) + " texts");
        }
        if (s.images.rows && s.texts.rows && s.images.cols != s.texts.cols)
            throw Error(dir + ": space '" + n + "' has " + std::to_string(s.images.cols) + "-d images but " +
                        std::to_string(s.texts.cols) + "-d texts");
        if (n == "old")
            s.kind = SpaceKind::Old;
        else if (n == "new")
            s.kind = SpaceKind::New;
        else if (n.rfind("gallery-", 0) == 0) {
            s.kind = SpaceKind::GalleryTransform;
            s.adapter = n.substr(8);
            s.fingerprint = "new";  // lives in the new space
        } else {
            s.kind = SpaceKind::QueryAdapter;
            s.adapter = n;
            s.fingerprint = "old";  // lives in the old space
        }
        out.spaces.push_back(std::move(s));
    }
    for (size_t t = 0; t < split.captionImage.size(); ++t)
        if (split.captionImage[t] >= imageCount)
            throw Error(truthFile.string() + ": text row " + std::to_string(t) + " points to image row " +
                        std::to_string(split.captionImage[t]) + ", but there are " + std::to_string(imageCount) +
                        " images");
    for (int64_t i = 0; i < imageCount; ++i)
        split.images.push_back("image " + std::to_string(i));
    for (size_t t = 0; t < split.captionImage.size(); ++t)
        split.captions.push_back("text " + std::to_string(t));
    const bool anyCategory = std::any_of(categoryOfText.begin(), categoryOfText.end(),
                                         [](const std::string& c) { return !c.empty(); });
    if (anyCategory) {
        split.captionCategory = categoryOfText;
        split.imageCategory.assign(static_cast<size_t>(imageCount), std::string());
        for (size_t t = 0; t < categoryOfText.size(); ++t) {
            std::string& c = split.imageCategory[static_cast<size_t>(split.captionImage[t])];
            if (!c.empty() && c != categoryOfText[t])
                throw Error(truthFile.string() + ": image row " + std::to_string(split.captionImage[t]) +
                            " has texts of two categories ('" + c + "' and '" + categoryOfText[t] + "')");
            c = categoryOfText[t];
        }
    }
    return out;
}

}  // namespace xbt

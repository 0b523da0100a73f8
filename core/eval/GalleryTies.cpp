#include "core/eval/GalleryTies.h"

#include "core/eval/RetrievalRecall.h"
#include "core/util/Error.h"

#include <algorithm>

namespace xbt {

double TieBound::maxRecallAt1() const
{
    return queries ? 1.0 - static_cast<double>(capped) / static_cast<double>(queries) : 0.0;
}

namespace {

// twins[i]: the rows within kTieTolerance of row i (L2). Candidates come from
// one sgemm per block of rows (|a|^2 + |b|^2 - 2<a, b> small, in float); each
// is then checked exactly, in double.
std::vector<std::vector<int64_t>> twinsOf(const Matrix& gallery)
{
    std::vector<double> squaredNorm(static_cast<size_t>(gallery.rows));
    for (int64_t i = 0; i < gallery.rows; ++i) {
        double s = 0.0;
        for (int64_t d = 0; d < gallery.cols; ++d)
            s += static_cast<double>(gallery.at(i, d)) * gallery.at(i, d);
        squaredNorm[static_cast<size_t>(i)] = s;
    }
    const double candidate = 1e-4;  // far above float error, far below what separates distinct items
    const double tie = kTieTolerance * kTieTolerance;
    std::vector<std::vector<int64_t>> twins(static_cast<size_t>(gallery.rows));
    const int64_t block = 1024;
    for (int64_t start = 0; start < gallery.rows; start += block) {
        std::vector<int64_t> rows;
        for (int64_t i = start; i < std::min(gallery.rows, start + block); ++i)
            rows.push_back(i);
        const Matrix dots = innerProducts(gallery.selectRows(rows), gallery);
        for (int64_t bi = 0; bi < dots.rows; ++bi) {
            const int64_t i = rows[static_cast<size_t>(bi)];
            // Each pair once (j > i), recorded on both sides.
            for (int64_t j = i + 1; j < gallery.rows; ++j) {
                const double approx = squaredNorm[static_cast<size_t>(i)] + squaredNorm[static_cast<size_t>(j)] -
                                      2.0 * dots.at(bi, j);
                if (approx > candidate)
                    continue;
                double exact = 0.0;
                for (int64_t d = 0; d < gallery.cols; ++d) {
                    const double diff = static_cast<double>(gallery.at(i, d)) - gallery.at(j, d);
                    exact += diff * diff;
                }
                if (exact <= tie) {
                    twins[static_cast<size_t>(i)].push_back(j);
                    twins[static_cast<size_t>(j)].push_back(i);
                }
            }
        }
    }
    return twins;
}

}  // namespace

TieBound tieBoundAtR1(const Matrix& gallery, const std::vector<std::vector<int64_t>>& relevant)
{
    const std::vector<std::vector<int64_t>> twins = twinsOf(gallery);
    TieBound b;
    for (const std::vector<int64_t>& rel : relevant) {
        if (rel.empty())
            continue;
        ++b.queries;
        const auto owned = [&](int64_t j) { return std::find(rel.begin(), rel.end(), j) != rel.end(); };
        bool everyOneTwinned = true;
        for (int64_t r : rel) {
            if (r < 0 || r >= gallery.rows)
                throw Error("tie bound: relevant item " + std::to_string(r) + " is outside the gallery of " +
                            std::to_string(gallery.rows));
            const std::vector<int64_t>& t = twins[static_cast<size_t>(r)];
            if (std::none_of(t.begin(), t.end(), [&](int64_t j) { return !owned(j); })) {
                everyOneTwinned = false;
                break;
            }
        }
        b.capped += everyOneTwinned;
    }
    return b;
}

GalleryTieBound galleryTieBound(const std::string& gallery, const Matrix& images, const Matrix& texts,
                                const std::vector<int64_t>& captionImage)
{
    GalleryTieBound out;
    out.gallery = gallery;
    std::vector<std::vector<int64_t>> imageOfCaption, captionsOfImage(static_cast<size_t>(images.rows));
    for (size_t t = 0; t < captionImage.size(); ++t) {
        imageOfCaption.push_back({captionImage[t]});
        if (captionImage[t] >= 0 && captionImage[t] < images.rows)
            captionsOfImage[static_cast<size_t>(captionImage[t])].push_back(static_cast<int64_t>(t));
    }
    if (images.rows > 0)
        out.textToImage = tieBoundAtR1(images, imageOfCaption);
    if (texts.rows > 0)
        out.imageToText = tieBoundAtR1(texts, captionsOfImage);
    return out;
}

}  // namespace xbt

#pragma once
// What a stored gallery cannot tell apart. When two items of the gallery are
// identical (to within the tie tolerance of RetrievalRecall.h), every query
// scores them alike, so a query whose every relevant item has such a twin
// outside its relevant set can never rank a relevant item first, whatever
// the query and however it was mapped. The share of the other queries is an
// upper bound on R@1 for any query-side method against that gallery: an old
// text encoder that ignores word order, for instance, stores "a red circle
// and a blue square" and "a blue circle and a red square" as one vector, and
// no adapter of the new model's queries can separate their images' captions.
// Reported beside the diagnostic ceiling (xbt eval --ceiling). Finding the
// twins compares every pair of rows (blocked sgemm): meant for evaluation
// splits, not for a whole production gallery.

#include "core/util/Matrix.h"

#include <cstdint>
#include <string>
#include <vector>

namespace xbt {

struct TieBound {
    int64_t queries = 0;
    int64_t capped = 0;  // queries whose every relevant item has an identical twin they do not own
    // The most R@1 any query can reach, as a fraction; 0 without queries.
    double maxRecallAt1() const;
};

struct GalleryTieBound {
    std::string gallery;  // the space whose stored embeddings were examined
    TieBound textToImage;  // caption queries against its images
    TieBound imageToText;  // image queries against its captions
};

// Two gallery rows are twins when ||a - b|| <= kTieTolerance: a unit query
// then scores them within the tolerance. relevant[q] lists query q's
// relevant gallery rows.
TieBound tieBoundAtR1(const Matrix& gallery, const std::vector<std::vector<int64_t>>& relevant);

// Both directions of one space's images [I, D] and captions [T, D];
// captionImage[t] is caption t's image.
GalleryTieBound galleryTieBound(const std::string& gallery, const Matrix& images, const Matrix& texts,
                                const std::vector<int64_t>& captionImage);

}  // namespace xbt

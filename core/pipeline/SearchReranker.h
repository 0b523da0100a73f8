#pragma once
// Re-ranking a search of the old gallery (issue 17): the top K hits of a
// search through an adapter (or a compatible model) re-scored by the new
// model. Images are re-embedded from their files (read again; a missing file
// or one whose content changed since it was indexed is skipped and counted,
// never fatal); captions (image queries) are re-embedded as texts, which is
// cheap. Re-scored hits come first, by new-model score; skipped candidates
// follow in their first-stage order, then the rest.
//
// With the gallery's new-model store (NewModelStore.h), candidates it holds
// are reused and the ones re-embedded now are kept there for the next query
// (best effort: never waiting for a backfill that holds the store).

#include "core/gallery/GallerySearch.h"
#include "core/gallery/NewModelStore.h"
#include "core/model/EmbeddingModel.h"
#include "core/util/Matrix.h"

#include <cstdint>
#include <string>

namespace xbt {

// "re-ranked the top 50 with sample-new: 50 re-embedded now, 0 reused, ..."
std::string describeRerank(const RerankReport& report);

// `newQuery`: the query embedded by `newModel` (one row). Reorders and
// rescores `results.hits` in place (SearchHit::rerankScore, ::reranked).
// `store` (optional): where new-model embeddings are found and kept.
RerankReport rerankHits(SearchResults& results, EmbeddingModel& newModel, const Matrix& newQuery, int k,
                        const NewModelStore* store = nullptr);

}  // namespace xbt

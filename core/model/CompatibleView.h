#pragma once
// A model trained compatible with an older one (BCT, BT^2, OCA; see
// docs/compatibility.md) searches and adds to that older model's galleries
// through this view: its embeddings cut to the part that compares with the
// old model's (the first d_old values, renormalised, or the whole vector),
// tagged as living in the old model's space (ModelInfo::adapterTarget), as
// a query adapter's are. No Qt, no torch.

#include "core/model/EmbeddingModel.h"
#include "core/util/Matrix.h"

#include <memory>

namespace xbt {

// The label a compatible view records with what it embeds.
inline constexpr const char* kCompatibleViewName = "compatible";

// The part of `embeddings` (rows of a compatible model) that compares with
// the old model's embeddings. Throws xbt::Error when the rows are too short.
Matrix oldComparablePart(const Matrix& embeddings, const CompatibleWith& compatibility);

// True when `model` declares itself compatible with the model of that fingerprint.
bool isCompatibleWith(const ModelInfo& model, const std::string& oldFingerprint);

// `model` seen in the space of the model it declares itself compatible with.
// Throws xbt::Error when it declares none.
std::unique_ptr<EmbeddingModel> makeCompatibleView(std::shared_ptr<EmbeddingModel> model);

}  // namespace xbt

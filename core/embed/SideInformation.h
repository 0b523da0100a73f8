#pragma once
// FCT's side information (Ramanujan et al., forward-compatible training): a
// small vector saved with every gallery item when it is indexed, so that a
// future gallery transform h has more to work with than the old model's
// embedding alone. It must not depend on any model (the future one is
// unknown when the gallery is built), so it is computed from the item itself:
//   images:   a 64-number colour layout (core/image/ColorLayout.h);
//   captions: the words and word pairs hashed into 64 numbers
//             (core/text/WordHashing.h).
// A transform that uses it reads [old embedding | image side | text side],
// the other modality's block zero, so images and captions keep separate
// weights in one h.

#include "core/data/CaptionedSplit.h"
#include "core/util/Matrix.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace xbt {

// Which items' side information a transform reads (the other block stays zero).
struct SideInformationUse {
    bool images = false;
    bool captions = false;

    bool any() const { return images || captions; }
    // "none", "captions", "images" or "both".
    std::string name() const;
    // Throws xbt::Error naming `where` and the accepted values.
    static SideInformationUse parse(const std::string& name, const std::string& where);
};

struct SideInformationSpec {
    static constexpr int kVersion = 1;
    static constexpr int64_t kDims = 64;  // per modality

    // What a gallery records: {"version", "image", "text", "dims"}; an
    // adapter adds "uses" (SideInformationUse::name()).
    static nlohmann::json toJson();
    static nlohmann::json toJson(const SideInformationUse& use);
    // Whether `j` records side information (null or absent: no). Throws
    // xbt::Error naming `where` when it is one this version does not compute.
    static bool recorded(const nlohmann::json& j, const std::string& where);
    // An adapter's record: what it reads (nothing for null or absent).
    static SideInformationUse recordedUse(const nlohmann::json& j, const std::string& where);
    // Columns a transform's input gains: one block per modality.
    static constexpr int64_t inputColumns() { return 2 * kDims; }
};

// Rows in the order of `paths`. Throws xbt::ImageError naming the file that
// cannot be read. Decodes on every core.
Matrix imageSideInformation(const std::vector<std::string>& paths);
Matrix textSideInformation(const std::vector<std::string>& texts);

struct SplitSideInformation {
    Matrix images;  // rows: split.images
    Matrix texts;   // rows: split.captions
};
// Only what `use` names is computed (the other matrix is left empty).
SplitSideInformation sideInformationOfSplit(const CaptionedSplit& split, const SideInformationUse& use = {true, true});

// A transform's input: [old | image side | zeros] and [old | zeros | text side].
// An empty `side` leaves its block at zero too (a transform that does not
// read that modality's). Throws xbt::Error when the row counts differ.
Matrix withImageSideInformation(const Matrix& old, const Matrix& side);
Matrix withTextSideInformation(const Matrix& old, const Matrix& side);

}  // namespace xbt

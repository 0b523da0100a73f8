#pragma once
// What a gallery was built with, stored as JSON in its database's meta table:
// the root folder, the model (the "model lock"), how vectors are stored and
// indexed, and the scan options a re-run reuses.

#include <string>
#include <vector>

namespace xbt {

enum class VectorPrecision { Float32, Float16 };
enum class IndexType { Flat, Ivf };

struct GallerySettings {
    std::string root;               // absolute path of the indexed folder
    std::string modelName;
    std::string modelSpec;          // the --model given at index time (search's default model)
    std::string modelFingerprint;   // every stored image embedding was made by this model
    std::string preprocessing;      // the model's canonical preprocessing text, for the record
    int embeddingDim = 0;
    VectorPrecision precision = VectorPrecision::Float32;
    IndexType indexType = IndexType::Flat;
    int nlist = 0;                  // IVF lists; 0: chosen from the gallery size when built
    int nprobe = 0;                 // IVF lists searched; 0: chosen from nlist
    std::vector<std::string> excludes;  // fnmatch globs on root-relative paths
    // Every indexing run also stores each item's side information (FCT;
    // core/embed/SideInformation.h). Once on, it stays on.
    bool sideInformation = false;
};

std::string toJsonText(const GallerySettings& settings);
// `where` names the source in errors ("galleries/x/gallery.sqlite meta").
GallerySettings gallerySettingsFromJson(const std::string& text, const std::string& where);

const char* precisionName(VectorPrecision p);
const char* indexTypeName(IndexType t);
// Throw xbt::Error naming the accepted values.
VectorPrecision parsePrecision(const std::string& text);
IndexType parseIndexType(const std::string& text);

}  // namespace xbt

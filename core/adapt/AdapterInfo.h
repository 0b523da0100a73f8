#pragma once
// What a saved compatibility adapter is: its method, the two models it joins
// (by name and fingerprint, so a mismatched pair is refused), how it was
// trained, and its metrics when it was saved. Stored as WS/adapters/NAME/adapter.json.

#include "core/adapt/QueryInterpolation.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace xbt {

struct ModelRef {
    std::string name;
    std::string fingerprint;
    int dims = 0;
    // How it was given when the adapter was trained (a built-in name or an
    // absolute path, see recordedModelSpec): lets a workspace without
    // upgrade.json find its models again. Empty in adapters saved before.
    std::string spec;
};

enum class AdapterKind {
    Query,   // maps new-model embeddings (image or text) into the old space
    Gallery  // maps stored old-model embeddings into the new space (FCT)
};

struct AdapterInfo {
    static constexpr int kSchemaVersion = 1;
    std::string name;
    std::string method;  // "lstsq", "procrustes", "xbt-stage1", "xbt", "fct"
    AdapterKind kind = AdapterKind::Query;
    ModelRef oldModel;
    ModelRef newModel;
    // How the new image tower is changed, if at all: "" (not at all), "lora"
    // (LoRA deltas merged into a built-in model's image tower) or
    // "feature-adapter" (a residual adapter on the new image embedding).
    std::string imageTowerAdaptation;
    // Adapters with an image map psi: its share s of an image query,
    // normalize(s psi(z) + (1 - s) phi(image side(z))). 1: psi alone, the
    // image side unused ("image-map" above); below 1 the adapter keeps its
    // image side too (CompatibilityAdapter::setImageMap).
    double imageMapShare = 1.0;
    // Query adapters: how a query is interpolated with the old model's own
    // embedding of it (QueryInterpolation.h). Off (weights 1) by default.
    QueryInterpolation interpolation;
    nlohmann::json config = nlohmann::json::object();   // every setting used, defaults included
    nlohmann::json data = nlohmann::json::object();     // counts: corpus sentences, pairs, ...
    nlohmann::json metrics = nlohmann::json::object();  // validation recall etc. at save time
    uint64_t seed = 0;
    double trainingSeconds = 0.0;
    std::string device;   // where it was trained
    std::string created;  // ISO 8601 UTC

    nlohmann::json toJson() const;
    // Errors name `source` (the file) and the field at fault.
    static AdapterInfo fromJson(const nlohmann::json& j, const std::string& source);
};

const char* adapterKindName(AdapterKind kind);

// The headline of an adapter's validation at save time (metrics.validation):
// R@1 of its adapted configuration per direction and whether the
// compatibility criterion was met. `available` is false when the adapter was
// saved without validation data.
struct AdapterValidationHeadline {
    bool available = false;
    std::string configuration;  // "new+phi->old" or "new->transformed-old"
    double t2iR1 = 0.0;
    double i2tR1 = 0.0;
    bool criterionMet = false;
    std::string verdicts;       // "T2I R@1 pass, ..." for display
    std::string notAbove;       // "I2T R@1, I2T R@5": where it is not above today's (point estimates)
    std::string overlaps;       // where its interval overlaps today's ("within noise")
};
AdapterValidationHeadline validationHeadline(const AdapterInfo& info);
// One sentence on the criterion, the same words everywhere: "met" only when
// every direction and K is above today's; says where intervals overlap.
std::string criterionSentence(const AdapterValidationHeadline& h);

}  // namespace xbt

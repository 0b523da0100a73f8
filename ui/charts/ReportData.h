#pragma once
// A typed view of the results.json that `xbt eval` writes. Many fields may be
// null or missing (older evaluations, configurations that cannot be compared),
// so every reader of the file goes through this one parser instead of probing
// the JSON itself; a malformed field is an xbt::Error naming its path.
// (Namespace xbt::charts: the engine has its own DirectionRecall, Interval...)

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace xbt::charts {

enum class Direction { TextToImage, ImageToText };
// The results.json key of a direction: "text_to_image" or "image_to_text".
const char* directionKey(Direction d);
// "text_to_image" or "image_to_text" to a Direction; throws xbt::Error otherwise.
Direction directionFromKey(const std::string& key);

// The K values tables, criteria and gain recovery are reported at.
constexpr std::array<int, 3> kReportedK = {1, 5, 10};

template <typename T>
struct PerDirection {
    T textToImage{};
    T imageToText{};
    const T& in(Direction d) const { return d == Direction::TextToImage ? textToImage : imageToText; }
    T& in(Direction d) { return d == Direction::TextToImage ? textToImage : imageToText; }
};

struct Interval {
    double low = 0;
    double high = 0;
};

// Recall of one configuration in one direction; fractions in [0, 1].
struct DirectionRecall {
    long long queries = 0;
    std::array<double, kReportedK.size()> recall{};                   // R@1, R@5, R@10
    std::array<std::optional<Interval>, kReportedK.size()> ci{};      // their confidence intervals
    std::optional<double> meanRank;
    std::optional<double> medianRank;
    std::vector<double> curve;  // curve[k-1] = R@k
};

struct Configuration {
    std::string name;     // "new+xbt->old"
    std::string query;    // query space, e.g. "new+xbt"
    std::string gallery;  // gallery space, e.g. "old"
    std::string role;     // today | backfill | raw | adapter | gallery-transform
    std::string adapter;  // for role adapter / gallery-transform
    bool comparable = false;
    bool incompatibleComparison = false;
    std::string note;
    PerDirection<std::optional<DirectionRecall>> recall;
    std::optional<double> rsum;
    std::map<std::string, PerDirection<std::optional<DirectionRecall>>> perCategory;
};

struct ModelDescription {
    std::string role;  // "old" or "new"
    std::string model;
    std::string fingerprint;
    std::optional<long long> dims;
    std::optional<double> imagesPerSecond;
};

struct AdapterDescription {
    std::string name;
    std::string method;
    std::string kind;  // "query" (maps new queries) or "gallery" (transforms the stored gallery)
};

// The compatibility criterion ("pass", "within noise", "fail") and gain
// recovery G at each reported K, for one direction.
struct CompatibilityVerdict {
    std::array<std::string, kReportedK.size()> criterion;
    std::array<std::optional<double>, kReportedK.size()> gainRecovery;
};

struct CompatibilityResult {
    std::string adapter;
    std::string configuration;
    PerDirection<std::optional<CompatibilityVerdict>> verdict;
};

// R@1 of query space (row) against gallery space (column); nullopt = not
// comparable or not measured.
struct RecallMatrix {
    std::vector<std::string> rows;
    std::vector<std::string> columns;
    PerDirection<std::vector<std::vector<std::optional<double>>>> r1;
};

struct BackfillCost {
    std::optional<long long> galleryImages;
    std::optional<double> imagesPerSecond;
    std::optional<double> secondsAvoided;
    std::string note;
};

struct EvaluationResults {
    std::string command;
    std::string date;
    std::string splitFolder;
    std::optional<long long> splitImages;
    std::optional<long long> splitCaptions;
    std::vector<std::string> categories;
    std::string tieRule;
    std::optional<long long> bootstrapSamples;
    std::optional<double> bootstrapConfidence;
    std::vector<ModelDescription> models;  // old first, then new
    std::vector<AdapterDescription> adapters;
    std::vector<Configuration> configurations;
    std::vector<CompatibilityResult> compatibility;
    RecallMatrix matrix;  // built from the configurations when results.json has none
    std::optional<BackfillCost> backfill;

    // The first comparable configuration with this role, or nullptr.
    const Configuration* comparableWithRole(const std::string& role) const;
    const Configuration* findConfiguration(const std::string& name) const;
    const ModelDescription* findModel(const std::string& role) const;
};

EvaluationResults parseEvaluationResults(const nlohmann::json& results);

// What a configuration stands for, in words: "today's system", "full backfill",
// "adapter 'xbt'", ...
std::string roleDescription(const Configuration& c);

}  // namespace xbt::charts

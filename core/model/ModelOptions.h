#pragma once
// What the user says about a model on the command line or in the UI. Values
// set here win over the sidecar JSON, which wins over what the archive holds,
// which wins over CLIP's defaults.

#include <array>
#include <optional>
#include <string>

namespace xbt {

struct ModelOptions {
    std::string merges;            // CLIP BPE merges file (.txt or .txt.gz)
    std::string device = "auto";   // auto | cpu | cuda | cuda:N
    int threads = 0;               // torch intra-op threads; 0 = all cores
    int batchSize = 0;             // 0 = the engine's default
    std::optional<std::string> name;
    std::optional<int> inputResolution;
    std::optional<int> contextLength;
    std::optional<std::array<float, 3>> mean;
    std::optional<std::array<float, 3>> std;
    std::optional<int> maxPixels;  // in megapixels
    bool applyExifOrientation = false;
    bool fastDecode = false;
};

// The largest input resolution accepted: above any CLIP-like model's (224 to
// 448, a few at 896), and small enough that a batch of images fits in memory.
constexpr int kMaxInputResolution = 2048;

// Throws xbt::Error naming the option (and how to fix it) when a value cannot
// make sense: a normalisation mean that is not finite, a std that is not a
// finite positive number (either turns every embedding into NaN), a
// resolution or context length out of range, a pixel limit that is not
// positive (there is no "off"). `source` says where the values came from
// ("--std", "model.json: key \"std\""): the message starts with it.
void validateModelOptions(const ModelOptions& options);
void checkMean(const std::array<float, 3>& mean, const std::string& source);
void checkStd(const std::array<float, 3>& std, const std::string& source);
void checkInputResolution(int pixels, const std::string& source);

}  // namespace xbt

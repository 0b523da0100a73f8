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

}  // namespace xbt

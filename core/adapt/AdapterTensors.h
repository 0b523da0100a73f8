#pragma once
// An adapter's weights as a flat list of named float32 tensors: the one
// naming that saving, loading, fingerprinting and export share.
//
//   projection.linear, projection.hidden_weight, projection.hidden_bias,
//   projection.out_weight, projection.out_bias        phi (or h for FCT)
//   image_map.linear (+ the same residual names)      psi, an image map of its own
//   feature.down, feature.down_bias, feature.up, feature.up_bias
//   lora.<parameter name>                              LoRA weight deltas

#include "core/adapt/CompatibilityAdapter.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace xbt {

struct NamedTensor {
    std::vector<int64_t> shape;
    std::vector<float> values;  // row-major
};
using NamedTensors = std::map<std::string, NamedTensor>;

constexpr const char* kLoraTensorPrefix = "lora.";

NamedTensors adapterTensors(const CompatibilityAdapter& adapter);
// The inverse; `source` names where the tensors came from in errors (a
// missing part, a shape that does not fit, an unknown name).
std::shared_ptr<CompatibilityAdapter> adapterFromTensors(AdapterInfo info, NamedTensors tensors,
                                                         const std::string& source);

}  // namespace xbt

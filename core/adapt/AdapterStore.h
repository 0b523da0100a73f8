#pragma once
// Saving and loading adapters in a workspace:
//
//   WS/adapters/NAME/adapter.json     AdapterInfo + the list of tensor files
//   WS/adapters/NAME/tensors/*.npy    float32 weights (phi, feature adapter, LoRA deltas)
//
// A save writes into a temporary folder and renames it into place, so an
// existing adapter is never left half-overwritten.

#include "core/adapt/CompatibilityAdapter.h"
#include "core/model/ModelOptions.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace xbt {

class Workspace;

// Called with each file's path once it is written into the temporary
// folder; tests throw from it to make a save fail half-way.
using AdapterSaveObserver = std::function<void(const std::string& writtenFile)>;

// Saves under adapter.info().name, replacing an adapter of that name. The
// workspace must be open for writing. Refuses weights that are not finite.
void saveAdapter(const Workspace& workspace, const CompatibilityAdapter& adapter,
                 const AdapterSaveObserver& afterEachFile = {});
// The adapter's name is its folder's (a renamed adapter keeps its new name).
// Errors name the file at fault and list the workspace's adapters when
// `name` is not one of them.
std::shared_ptr<CompatibilityAdapter> loadAdapter(const Workspace& workspace, const std::string& name);
std::shared_ptr<CompatibilityAdapter> loadAdapterFolder(const std::string& folder);
// Every adapter's info (weights are not read), sorted by name.
std::vector<AdapterInfo> listAdapters(const Workspace& workspace);

// Writes DIR/NAME.pt (a TorchScript module with forward_text(z) and
// forward_image(z), both [N, d_new] -> [N, d_old] L2-normalised) and
// DIR/NAME.json (the metadata). For LoRA adapters the image tower is not in
// the TorchScript file; the JSON says so and, for built-in models, DIR/NAME-image-tower/
// holds the adapted built-in model folder.
struct ExportResult {
    std::string torchscriptPath;
    std::string metadataPath;
    std::string adaptedTowerFolder;  // empty unless LoRA
    std::string note;
};
struct AdapterExportOptions {
    // LoRA adapters: the new model (a spec, as for --model) whose folder is
    // copied with the deltas merged; empty: the adapter's new model by name.
    std::string newModelSpec;
    ModelOptions modelOptions;
};
ExportResult exportAdapter(const CompatibilityAdapter& adapter, const std::string& outDir,
                           const AdapterExportOptions& options = {});

}  // namespace xbt

#include "app/xbt/ModelCli.h"


#include <sstream>

namespace xbt::cli {

std::vector<OptionSpec> modelOptionSpecs(const std::string& modelFlag)
{
    return {
        {modelFlag, "M", "model: TorchScript archive, folder holding one, or built-in name"},
        {"merges", "FILE", "CLIP BPE merges file (bpe_simple_vocab_16e6.txt[.gz])"},
        {"device", "auto|cpu|cuda", "where the model runs (default auto: CUDA when available)"},
        {"threads", "N", "CPU threads for decoding and inference (default: all cores)"},
        {"batch-size", "N", "images or texts per model call"},
        {"input-resolution", "PX", "override the model's input size"},
        {"context-length", "N", "override the text context length"},
        {"mean", "R,G,B", "override the normalisation mean"},
        {"std", "R,G,B", "override the normalisation std"},
        {"max-megapixels", "N", "refuse images larger than this (default 100)"},
        {"exif-orientation", "", "rotate images by their EXIF orientation before embedding"},
        {"fast-decode", "", "decode large JPEGs at reduced scale first (faster, not bit-exact)"},
    };
}

namespace {

std::array<float, 3> parseTriple(const std::string& flag, const std::string& text)
{
    std::array<float, 3> out{};
    std::stringstream s(text);
    std::string part;
    int n = 0;
    while (std::getline(s, part, ',')) {
        if (n >= 3)
            break;
        try {
            out[static_cast<size_t>(n)] = std::stof(part);
        } catch (const std::exception&) {
            throw UsageError("--" + flag + " expects three numbers R,G,B, got '" + text + "'");
        }
        ++n;
    }
    if (n != 3 || std::getline(s, part, ','))
        throw UsageError("--" + flag + " expects three numbers R,G,B, got '" + text + "'");
    return out;
}

}  // namespace

std::vector<OptionSpec> oldNewModelOptionSpecs()
{
    std::vector<OptionSpec> specs = modelOptionSpecs("old");
    specs.insert(specs.begin() + 1, {"new", "M", "the new model (same forms as --old)"});
    return specs;
}

ModelOptions modelOptionsFrom(const CliArgs& args)
{
    ModelOptions o;
    o.merges = args.value("merges");
    o.device = args.value("device", "auto");
    if (o.device != "auto" && o.device != "cpu" && o.device.rfind("cuda", 0) != 0)
        throw UsageError("--device expects auto, cpu or cuda[:N], got '" + o.device + "'");
    o.threads = args.intValue("threads", 0);
    o.batchSize = args.intValue("batch-size", 0);
    if (o.threads < 0 || o.batchSize < 0)
        throw UsageError("--threads and --batch-size must be positive");
    if (args.has("input-resolution"))
        o.inputResolution = args.intValue("input-resolution", 224);
    if (args.has("context-length"))
        o.contextLength = args.intValue("context-length", 77);
    if (args.has("mean"))
        o.mean = parseTriple("mean", args.value("mean"));
    if (args.has("std"))
        o.std = parseTriple("std", args.value("std"));
    if (args.has("max-megapixels"))
        o.maxPixels = args.intValue("max-megapixels", 100);
    o.applyExifOrientation = args.has("exif-orientation");
    o.fastDecode = args.has("fast-decode");
    return o;
}

std::vector<OptionSpec> concatSpecs(std::vector<OptionSpec> base, const std::vector<OptionSpec>& extra)
{
    base.insert(base.end(), extra.begin(), extra.end());
    return base;
}

OptionSpec adapterOptionSpec(const std::string& purpose)
{
    return {"adapter", "NAME", "a query adapter of the workspace: " + purpose};
}

}  // namespace xbt::cli

// `xbt info --model M [--json]`: what a model is and how it will run, so that
// a user can check settings (sidecar, merges, device, BLAS) before indexing.
#include "app/xbt/Command.h"
#include "app/xbt/ModelCli.h"
#include "core/model/ModelLoader.h"
#include "core/model/TorchRuntime.h"
#include "core/util/SystemInfo.h"

#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>
#include <sstream>

namespace xbt::cli {

namespace {

std::string tripleText(const std::array<float, 3>& v)
{
    std::ostringstream s;
    s << std::setprecision(8) << v[0] << ", " << v[1] << ", " << v[2];
    return s.str();
}

int runInfo(const CliArgs& args)
{
    const std::string spec = args.required("model");
    const std::unique_ptr<EmbeddingModel> model = loadModel(spec, modelOptionsFrom(args));
    const ModelInfo& info = model->info();
    const PreprocessSettings& p = info.preprocess;
    const CompatibleWith& compatible = info.compatibleWith;
    if (args.has("json")) {
        nlohmann::json j = {
            {"name", info.name},
            {"kind", info.kind},
            {"source", info.source},
            {"embedding_dim", info.embeddingDim},
            {"input_resolution", p.inputResolution},
            {"context_length", info.contextLength},
            {"mean", p.mean},
            {"std", p.std},
            {"tokenizer", info.tokenizer},
            {"merges", info.mergesPath},
            {"device", info.device},
            {"fingerprint", info.fingerprint},
            {"torch_threads", torchThreads()},
            {"blas", activeBlasLibrary()},
        };
        if (compatible.declared())
            j["compatible_with"] = {{"name", compatible.name},
                                    {"fingerprint", compatible.fingerprint},
                                    {"dims", compatible.dims},
                                    {"compares", compatible.firstDims ? "first-dims" : "whole"}};
        std::cout << j.dump() << "\n";
        return kExitOk;
    }
    std::cout << "name:             " << info.name << "\n"
              << "kind:             " << info.kind << "\n"
              << "source:           " << info.source << "\n"
              << "embedding dim:    " << info.embeddingDim << "\n"
              << "input resolution: " << p.inputResolution << "\n"
              << "context length:   " << info.contextLength << "\n"
              << "mean:             " << tripleText(p.mean) << "\n"
              << "std:              " << tripleText(p.std) << "\n"
              << "tokenizer:        " << info.tokenizer
              << (info.mergesPath.empty() ? std::string() : " (merges: " + info.mergesPath + ")") << "\n"
              << "device:           " << info.device << (torchCudaAvailable() ? " (CUDA available)" : " (no CUDA)")
              << "\n"
              << "fingerprint:      " << info.fingerprint << "\n";
    if (compatible.declared())
        std::cout << "compatible with:  " << compatible.name << " (fingerprint "
                  << fingerprintPrefix(compatible.fingerprint) << "; "
                  << (compatible.firstDims ? "its first " + std::to_string(compatible.dims) + " dims, renormalised"
                                           : std::string("the whole vector"))
                  << ")\n";
    std::cout << "torch threads:    " << torchThreads() << " (LibTorch " << torchVersion() << ")\n"
              << "BLAS:             " << activeBlasLibrary() << "\n";
    return kExitOk;
}

}  // namespace

Command makeInfoCommand()
{
    return {"info",
            "show a model's settings, embedding size, device and fingerprint",
            "xbt info --model M [--json]",
            concatSpecs(modelOptionSpecs(), {{"json", "", "print one JSON object instead of text"}}),
            runInfo};
}

}  // namespace xbt::cli

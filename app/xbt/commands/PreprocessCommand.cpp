// `xbt preprocess --model M IMAGE... --out DIR`: the exact tensors the model
// would see, as .npy files, so that users can compare them with their Python
// pipeline before trusting the embeddings.
#include "app/xbt/Command.h"
#include "app/xbt/ModelCli.h"
#include "core/image/ClipImagePreprocessor.h"
#include "core/image/ImageError.h"
#include "core/model/ModelLoader.h"
#include "core/util/FileUtil.h"
#include "core/util/NpyFile.h"

#include <filesystem>
#include <iostream>
#include <set>

namespace xbt::cli {

namespace {

namespace fs = std::filesystem;

int runPreprocess(const CliArgs& args)
{
    const std::vector<std::string>& images = args.positional();
    if (images.empty())
        throw UsageError("no images given");
    const fs::path outDir = args.required("out");
    const std::unique_ptr<EmbeddingModel> model = loadModel(args.required("model"), modelOptionsFrom(args));
    const ClipImagePreprocessor preprocessor(model->info().preprocess);

    std::error_code ec;
    createDirectories(outDir.string());

    int failed = 0;
    std::set<std::string> written;
    for (const std::string& image : images) {
        const std::string outName = fs::path(image).filename().string() + ".npy";
        try {
            // Two inputs with one file name would silently overwrite each other.
            if (!written.insert(outName).second)
                throw Error(image + ": another input already wrote " + outName);
            const PixelTensor t = preprocessor.preprocessFile(image);
            writeNpy((outDir / outName).string(), t.data.data(), {t.channels, t.height, t.width});
        } catch (const Error& e) {
            // ImageError and write errors already name the file.
            std::cerr << e.what() << "\n";
            ++failed;
        }
    }
    return failed ? kExitPartial : kExitOk;
}

}  // namespace

Command makePreprocessCommand()
{
    return {"preprocess",
            "write the model's input tensors for images as .npy (float32, 3 x H x W)",
            "xbt preprocess --model M IMAGE... --out DIR",
            concatSpecs(modelOptionSpecs(), {{"out", "DIR", "folder for <image file name>.npy (created)"}}),
            runPreprocess};
}

}  // namespace xbt::cli

// xbt embed: images or texts -> [N, D] float32 .npy plus a row listing.
#include "app/xbt/CliProgress.h"
#include "app/xbt/Command.h"
#include "app/xbt/ModelCli.h"
#include "core/data/ImageFiles.h"
#include "core/embed/BatchEmbedder.h"
#include "core/model/ModelLoader.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "core/util/NpyFile.h"
#include "core/util/Utf8.h"

#include <cstdio>
#include <iostream>

namespace xbt::cli {

namespace {

// The row listing written beside the matrix: E.npy.txt, one input per line,
// escaped (see escapeLine) so that a name holding a newline stays one row.
void writeRowListing(const std::string& npyPath, const std::vector<std::string>& rows)
{
    std::string text;
    for (const std::string& r : rows)
        text += escapeLine(r) + "\n";
    writeFileAtomic(npyPath + ".txt", text);
}

std::vector<std::string> readTextInputs(const std::string& path)
{
    std::vector<std::string> texts;
    for (std::string& line : readTextLines(path))
        if (line.find_first_not_of(" \t\r") != std::string::npos)
            texts.push_back(std::move(line));
    if (texts.empty())
        throw Error(path + ": no texts (one text per line expected; blank lines are skipped)");
    return texts;
}

int run(const CliArgs& args)
{
    const bool images = args.has("images");
    if (images == args.has("texts"))
        throw UsageError("give exactly one of --images DIR_OR_LIST or --texts FILE");
    const std::string out = args.required("out");
    const ModelOptions modelOptions = modelOptionsFrom(args);
    // Resolve the inputs before loading the model, so a typo fails fast.
    std::vector<ImageInput> imageInputs;
    std::vector<std::string> texts;
    if (images) {
        imageInputs = resolveImageInputs(args.value("images"));
        if (imageInputs.empty())
            throw Error(args.value("images") + ": no images found (jpg, jpeg, png, webp, bmp, tif, tiff)");
    } else {
        texts = readTextInputs(args.value("texts"));
    }
    auto model = loadModel(args.required("model"), modelOptions);
    EmbedOptions embedOptions;
    if (modelOptions.batchSize > 0)
        embedOptions.batchSize = modelOptions.batchSize;
    if (modelOptions.threads > 0)
        embedOptions.decodeThreads = modelOptions.threads;
    BatchEmbedder embedder(*model, embedOptions);

    if (!images) {
        const Matrix m = embedder.embedTexts(texts, terminalProgress());
        writeNpy(out, m);
        writeRowListing(out, texts);
        std::cerr << "embedded " << m.rows << " texts -> " << out << " [" << m.rows << ", " << m.cols << "]\n";
        return kExitOk;
    }
    const ImageEmbedResult r = embedder.embedImages(imageInputs, terminalProgress());
    for (const ImageFailure& f : r.failures)
        std::cerr << "failed: " << escapeLine(f.label) << ": " << f.reason << "\n";
    std::vector<std::string> rows;
    for (size_t i : r.succeeded)
        rows.push_back(imageInputs[i].label);
    writeNpy(out, r.embeddings.rows > 0 ? r.embeddings : Matrix(0, model->embeddingDim()));
    writeRowListing(out, rows);
    std::fprintf(stderr, "embedded %zu of %zu images -> %s in %.1f s (%.1f images/s)\n", rows.size(),
                 imageInputs.size(), out.c_str(), r.seconds,
                 r.seconds > 0 ? static_cast<double>(imageInputs.size()) / r.seconds : 0.0);
    return r.failures.empty() ? kExitOk : kExitPartial;
}

}  // namespace

Command makeEmbedCommand()
{
    return {"embed",
            "embed images or texts with a model into an [N, D] float32 .npy (+ .npy.txt row listing)",
            "xbt embed --model M (--images DIR_OR_LIST | --texts FILE) --out E.npy",
            concatSpecs(modelOptionSpecs(),
                        {{"images", "DIR_OR_LIST", "folder (recursive, sorted by path) or file listing image paths"},
                         {"texts", "FILE", "UTF-8 text file, one text per line (blank lines skipped)"},
                         {"out", "E.npy", "output matrix; E.npy.txt lists the inputs in row order"}}),
            run};
}

}  // namespace xbt::cli

#include "core/embed/SplitEmbedder.h"

#include <filesystem>

namespace xbt {

SplitEmbeddings embedSplit(EmbeddingModel& model, const CaptionedSplit& split, const EmbedOptions& options,
                           const ProgressCallback& progress, const CancelToken& cancel)
{
    std::vector<ImageInput> inputs;
    for (const std::string& path : split.images)
        inputs.push_back({(std::filesystem::path(split.root) / path).string(), path});
    BatchEmbedder embedder(model, options);
    ImageEmbedResult images = embedder.embedImages(inputs, progress, cancel);
    SplitEmbeddings out;
    out.images = std::move(images.embeddings);
    out.embeddedImages = std::move(images.succeeded);
    out.failures = std::move(images.failures);
    out.imageSeconds = images.seconds;
    out.texts = embedder.embedTexts(split.captions, progress, cancel);
    return out;
}

}  // namespace xbt

#include "core/model/ModelLoader.h"

#include "core/util/Error.h"

namespace xbt {

std::unique_ptr<EmbeddingModel> loadModel(const std::string& spec, const ModelOptions&)
{
    throw Error("cannot load model '" + spec + "': model loading is not built yet");
}

}  // namespace xbt

#include "core/gallery/NewModelStore.h"

#include "core/gallery/GalleryFiles.h"
#include "core/util/Error.h"
#include "core/workspace/Workspace.h"

namespace xbt {

SecondSpace secondSpaceOf(const ModelInfo& model, int embeddingDim, const std::string& modelSpec)
{
    SecondSpace s;
    s.modelName = model.name;
    s.modelFingerprint = model.fingerprint;
    s.modelSpec = modelSpec.empty() ? model.name : modelSpec;
    s.embeddingDim = embeddingDim;
    return s;
}

NewModelStore::NewModelStore(const Workspace& workspace, std::string gallery, const ModelInfo& newModel,
                             int embeddingDim, std::string modelSpec)
    : workspace_(workspace), gallery_(std::move(gallery)), space_(secondSpaceOf(newModel, embeddingDim, modelSpec))
{
}

namespace {

bool sameSpace(const std::optional<SecondSpace>& stored, const SecondSpace& wanted)
{
    return stored && !stored->retired && stored->modelFingerprint == wanted.modelFingerprint &&
           stored->embeddingDim == wanted.embeddingDim;
}

}  // namespace

std::map<int64_t, std::vector<float>> NewModelStore::find(const std::vector<int64_t>& itemIds) const
{
    std::map<int64_t, std::vector<float>> out;
    const GalleryStore store =
        GalleryStore::open(galleryFiles(workspace_.galleryDir(gallery_)).database, GalleryStore::Mode::ReadOnly);
    if (!sameSpace(store.secondSpace(), space_))
        return out;
    const StoredVectors v = store.secondSpaceImageVectors(itemIds);
    for (size_t i = 0; i < v.ids.size(); ++i)
        out[v.ids[i]] = std::vector<float>(v.vectors.row(static_cast<int64_t>(i)),
                                           v.vectors.row(static_cast<int64_t>(i)) + v.vectors.cols);
    return out;
}

int64_t NewModelStore::keep(const std::vector<SecondSpaceImage>& images, std::string* why) const
{
    auto refuse = [&](const std::string& reason) {
        if (why)
            *why = reason;
        return int64_t{0};
    };
    if (images.empty())
        return 0;
    // A search opens its workspace read-only; storing needs it writable
    // (a workspace on read-only media simply keeps nothing).
    std::optional<Workspace> writable;
    std::optional<WorkspaceLock> lock;
    try {
        writable.emplace(Workspace::open(workspace_.dir(), Workspace::Mode::ReadWrite));
        lock.emplace(writable->lock(kNewModelStoreLock, gallery_));
    } catch (const Error& e) {
        return refuse(std::string("not stored: ") + e.what());
    }
    GalleryStore store =
        GalleryStore::open(galleryFiles(workspace_.galleryDir(gallery_)).database, GalleryStore::Mode::ReadWrite);
    const std::optional<SecondSpace> current = store.secondSpace();
    if (current && !sameSpace(current, space_))
        return refuse("the gallery's new-model store holds " + current->modelName + (current->retired ? " (retired)" : "") +
                      ", not " + space_.modelName);
    if (!current)
        store.setSecondSpace(space_);
    return store.commitSecondSpace(images, {}).images;
}

}  // namespace xbt

#include "core/gallery/SideInformationFill.h"

#include "core/embed/SideInformation.h"

#include <exception>
#include <filesystem>

namespace xbt {

namespace {

constexpr size_t kBatch = 256;
constexpr size_t kProblemsKept = 5;

std::vector<float> rowOf(const Matrix& m, int64_t i) { return {m.row(i), m.row(i) + m.cols}; }

}  // namespace

std::vector<std::string> describeSideInformationFill(const SideInformationFill& fill)
{
    if (fill.images == 0 && fill.captions == 0 && fill.skipped == 0)
        return {};
    std::vector<std::string> lines = {"side information: " + std::to_string(fill.images) + " images and " +
                                      std::to_string(fill.captions) + " captions given theirs, " +
                                      std::to_string(fill.skipped) + " images skipped (retried next run)"};
    for (const std::string& p : fill.problems)
        lines.push_back("side information skipped: " + p);
    return lines;
}

SideInformationFill fillSideInformation(GalleryStore& store, const std::string& root, const ProgressCallback& progress,
                                        const CancelToken& cancel)
{
    SideInformationFill out;
    const int dims = static_cast<int>(SideInformationSpec::kDims);
    const std::vector<StoredItem> items = store.itemsWithoutSideInformation();
    const std::vector<StoredCaption> captions = store.captionsWithoutSideInformation();
    ProgressMeter meter("side information", static_cast<int64_t>(items.size() + captions.size()), progress);
    int64_t done = 0;
    if (!items.empty() || !captions.empty())
        meter.update(0);
    for (size_t begin = 0; begin < items.size(); begin += kBatch) {
        if (cancel.isCancelled()) {
            out.cancelled = true;
            return out;
        }
        const size_t end = std::min(items.size(), begin + kBatch);
        std::vector<SideInformationRow> rows;
        std::vector<std::string> paths;
        for (size_t i = begin; i < end; ++i)
            paths.push_back((std::filesystem::path(root) / items[i].path).string());
        try {
            const Matrix side = imageSideInformation(paths);
            for (size_t i = begin; i < end; ++i)
                rows.push_back({items[i].id, items[i].contentHash, rowOf(side, static_cast<int64_t>(i - begin))});
        } catch (const std::exception&) {
            // One file spoiled the batch: read them one by one, skipping those that fail.
            for (size_t i = begin; i < end; ++i) {
                try {
                    const Matrix side = imageSideInformation({paths[i - begin]});
                    rows.push_back({items[i].id, items[i].contentHash, rowOf(side, 0)});
                } catch (const std::exception& e) {
                    ++out.skipped;
                    if (out.problems.size() < kProblemsKept)
                        out.problems.push_back(items[i].path + ": " + e.what());
                }
            }
        }
        // A file may have changed since it was embedded: the store keeps only
        // rows whose content hash is still the item's (checked again on the next run).
        const SideInformationCounts stored = store.commitSideInformation(rows, {}, dims);
        out.images += stored.images;
        out.skipped += static_cast<int64_t>(rows.size()) - stored.images;
        done += static_cast<int64_t>(end - begin);
        meter.update(done);
    }
    for (size_t begin = 0; begin < captions.size(); begin += kBatch) {
        if (cancel.isCancelled()) {
            out.cancelled = true;
            return out;
        }
        const size_t end = std::min(captions.size(), begin + kBatch);
        std::vector<std::string> texts;
        for (size_t i = begin; i < end; ++i)
            texts.push_back(captions[i].text);
        const Matrix side = textSideInformation(texts);
        std::vector<SideInformationRow> rows;
        for (size_t i = begin; i < end; ++i)
            rows.push_back({captions[i].id, {}, rowOf(side, static_cast<int64_t>(i - begin))});
        out.captions += store.commitSideInformation({}, rows, dims).captions;
        done += static_cast<int64_t>(end - begin);
        meter.update(done);
    }
    return out;
}

}  // namespace xbt

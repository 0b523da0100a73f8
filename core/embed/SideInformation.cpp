#include "core/embed/SideInformation.h"

#include "core/image/ColorLayout.h"
#include "core/text/WordHashing.h"
#include "core/util/Error.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>

namespace xbt {

using nlohmann::json;

std::string SideInformationUse::name() const
{
    return images && captions ? "both" : images ? "images" : captions ? "captions" : "none";
}

SideInformationUse SideInformationUse::parse(const std::string& name, const std::string& where)
{
    for (const SideInformationUse use : {SideInformationUse{false, false}, SideInformationUse{false, true},
                                         SideInformationUse{true, false}, SideInformationUse{true, true}})
        if (use.name() == name)
            return use;
    throw Error(where + ": side information '" + name + "' is not one of none, captions, images, both");
}

json SideInformationSpec::toJson()
{
    return {{"version", kVersion}, {"image", "color-layout"}, {"text", "word-hash"}, {"dims", kDims}};
}

json SideInformationSpec::toJson(const SideInformationUse& use)
{
    json j = toJson();
    j["uses"] = use.name();
    return j;
}

bool SideInformationSpec::recorded(const json& j, const std::string& where)
{
    if (j.is_null())
        return false;
    json computed = j;
    if (computed.is_object())
        computed.erase("uses");
    if (computed != toJson())
        throw Error(where + " records side information " + j.dump() + "; this version computes only " +
                    toJson().dump());
    return true;
}

SideInformationUse SideInformationSpec::recordedUse(const json& j, const std::string& where)
{
    if (!recorded(j, where))
        return {};
    if (!j.contains("uses") || !j["uses"].is_string())
        throw Error(where + " records side information without saying what it reads (\"uses\")");
    return SideInformationUse::parse(j["uses"].get<std::string>(), where);
}

namespace {

Matrix rowsOf(const std::vector<std::vector<float>>& rows)
{
    Matrix m(static_cast<int64_t>(rows.size()), SideInformationSpec::kDims);
    for (size_t i = 0; i < rows.size(); ++i)
        std::copy(rows[i].begin(), rows[i].end(), m.row(static_cast<int64_t>(i)));
    return m;
}

Matrix withBlock(const Matrix& old, const Matrix& side, int64_t block, const char* what)
{
    if (side.rows > 0 && old.rows != side.rows)
        throw Error(std::string("side information: ") + std::to_string(side.rows) + " " + what + " rows for " +
                    std::to_string(old.rows) + " stored embeddings");
    if (side.rows > 0 && side.cols != SideInformationSpec::kDims)
        throw Error("side information: " + std::to_string(side.cols) + " columns, expected " +
                    std::to_string(SideInformationSpec::kDims));
    Matrix out(old.rows, old.cols + SideInformationSpec::inputColumns());
    for (int64_t i = 0; i < old.rows; ++i) {
        std::memcpy(out.row(i), old.row(i), sizeof(float) * size_t(old.cols));
        if (side.rows > 0)
            std::memcpy(out.row(i) + old.cols + block * SideInformationSpec::kDims, side.row(i),
                        sizeof(float) * size_t(SideInformationSpec::kDims));
    }
    return out;
}

}  // namespace

Matrix imageSideInformation(const std::vector<std::string>& paths)
{
    std::vector<std::vector<float>> rows(paths.size());
    std::atomic<size_t> next{0};
    std::exception_ptr failure;
    std::mutex failureMutex;
    auto work = [&] {
        for (size_t i = next++; i < paths.size(); i = next++) {
            try {
                rows[i] = colorLayoutOfFile(paths[i], static_cast<int>(SideInformationSpec::kDims));
            } catch (...) {
                std::lock_guard<std::mutex> lock(failureMutex);
                if (!failure)
                    failure = std::current_exception();
                next = paths.size();
            }
        }
    };
    const size_t workers = std::max<size_t>(1, std::min<size_t>(std::thread::hardware_concurrency(), paths.size() / 64));
    std::vector<std::thread> threads;
    for (size_t w = 1; w < workers; ++w)
        threads.emplace_back(work);
    work();
    for (std::thread& t : threads)
        t.join();
    if (failure)
        std::rethrow_exception(failure);
    return rowsOf(rows);
}

Matrix textSideInformation(const std::vector<std::string>& texts)
{
    std::vector<std::vector<float>> rows;
    rows.reserve(texts.size());
    for (const std::string& t : texts)
        rows.push_back(hashedWordFeatures(t, static_cast<int>(SideInformationSpec::kDims)));
    return rowsOf(rows);
}

SplitSideInformation sideInformationOfSplit(const CaptionedSplit& split, const SideInformationUse& use)
{
    SplitSideInformation out;
    if (use.images) {
        std::vector<std::string> paths;
        paths.reserve(split.images.size());
        for (const std::string& image : split.images)
            paths.push_back((std::filesystem::path(split.root) / image).string());
        out.images = imageSideInformation(paths);
    }
    if (use.captions)
        out.texts = textSideInformation(split.captions);
    return out;
}

Matrix withImageSideInformation(const Matrix& old, const Matrix& side) { return withBlock(old, side, 0, "image"); }
Matrix withTextSideInformation(const Matrix& old, const Matrix& side) { return withBlock(old, side, 1, "text"); }

}  // namespace xbt

// xbt import: embeddings made elsewhere (xbt embed's E.npy, a clip-retrieval
// folder) -> a gallery, checked against what the gallery's model makes for a
// sample of the same images.
#include "app/xbt/CliProgress.h"
#include "app/xbt/Command.h"
#include "app/xbt/ModelCli.h"
#include "core/pipeline/UpgradeSession.h"
#include "core/util/Error.h"
#include "core/util/Utf8.h"

#include <cstdio>
#include <filesystem>

namespace xbt::cli {

namespace {

constexpr size_t kNotOnDiskListed = 10;

int run(const CliArgs& args)
{
    if (!args.positional().empty())
        throw UsageError("xbt import takes no positional arguments (give --embeddings)");
    ImportRequest request;
    ImportRunOptions& options = request.run;
    options.source = args.required("embeddings");
    request.modelSpec = args.required("model");
    options.gallery = args.value("gallery", "default");
    options.root = args.value("root");
    options.pathsFile = args.value("paths");
    options.normalize = args.has("normalize");
    options.acceptDisagreement = args.has("accept-disagreement");
    options.checkSamples = args.intValue("check", options.checkSamples);
    if (options.checkSamples < 0)
        throw UsageError("--check N needs N >= 0 (0 skips the agreement check)");

    UpgradeSession session(args.required("workspace"), modelOptionsFrom(args), UpgradeSession::Open::CreateIfMissing);
    const ImportRunSummary s = session.importEmbeddings(request, terminalProgress());

    std::printf("gallery %s (%s)%s: from %s\n", s.gallery.c_str(), s.root.c_str(),
                s.createdGallery ? " created" : "", s.sourceDescription.c_str());
    std::printf("imported %lld, skipped %lld (already in the gallery, unchanged), renormalised rows %lld, "
                "not on disk %zu\n",
                static_cast<long long>(s.imported), static_cast<long long>(s.skipped),
                static_cast<long long>(s.renormalisedRows), s.notOnDisk.size());
    const bool disagree = s.checkedRows > 0 && !s.agreement.agree;
    std::printf("made_by: %s%s (the model's fingerprint, marked as imported%s)\n",
                fingerprintPrefix(s.modelFingerprint).c_str(),
                disagree ? kDisagreeingMadeBySuffix : kImportedMadeBySuffix,
                disagree ? " although they disagree with it" : "");
    for (size_t i = 0; i < s.notOnDisk.size() && i < kNotOnDiskListed; ++i)
        std::printf("not on disk: %s (imported; a later xbt index of the root removes it)\n",
                    escapeLine(s.notOnDisk[i]).c_str());
    if (s.notOnDisk.size() > kNotOnDiskListed)
        std::printf("not on disk: ... and %zu more\n", s.notOnDisk.size() - kNotOnDiskListed);
    for (const std::string& f : s.checkFailures)
        std::printf("agreement check could not embed: %s\n", f.c_str());
    std::printf("index: %s, %lld vectors\n", indexTypeName(s.imageIndex.type),
                static_cast<long long>(s.imageIndex.vectors));
    for (const std::string& line : describeSideInformationFill(s.sideInformation))
        std::printf("%s\n", escapeLine(line).c_str());

    const std::string modelName = s.modelName;
    if (s.checkedRows == 0) {
        std::printf("agreement: not checked%s\n",
                    options.checkSamples == 0 ? " (--check 0)" : " (no imported image on disk could be embedded)");
    } else {
        // The verdict names min and mean cosine itself.
        std::printf("agreement: %lld images embedded again with %s: %s\n", static_cast<long long>(s.checkedRows),
                    modelName.c_str(), s.agreement.message.c_str());
        if (disagree) {
            std::fprintf(stderr,
                         "warning: imported as asked (--accept-disagreement), but the embeddings do not match what "
                         "%s produces for the same images (min cosine %.4f): searches of this gallery mix two "
                         "spaces\n",
                         modelName.c_str(), s.agreement.minCosine);
            return kExitPartial;
        }
    }
    std::printf("time %.1f s\n", s.seconds);
    return kExitOk;
}

}  // namespace

Command makeImportCommand()
{
    return {"import",
            "build (or add to) a gallery from embeddings made elsewhere, checked against the model",
            "xbt import --embeddings E.npy|FOLDER --model M --workspace WS [--gallery NAME] [--root FOLDER] "
            "[--paths FILE] [--normalize] [--check N] [--accept-disagreement]",
            concatSpecs(modelOptionSpecs(),
                        {{"embeddings", "E.npy|FOLDER", "xbt embed output (E.npy + E.npy.txt) or a clip-retrieval "
                                                        "folder (img_emb/ + metadata/)"},
                         {"workspace", "WS", "workspace folder (created when missing)"},
                         {"gallery", "NAME", "gallery in the workspace (default: default)"},
                         {"root", "FOLDER", "folder the image paths are relative to (default: the existing "
                                            "gallery's root; needed for a new gallery)"},
                         {"paths", "FILE", "row listing of a .npy, one path per line (default: E.npy.txt)"},
                         {"normalize", "", "scale rows that are not unit length instead of refusing them"},
                         {"check", "N", "embed N imported images again with the model and compare (default 16; "
                                        "0 skips); rows that disagree are refused"},
                         {"accept-disagreement", "", "import rows the check found different from the model's "
                                                     "anyway, marked +imported-disagreeing (exit 2)"}}),
            run};
}

}  // namespace xbt::cli

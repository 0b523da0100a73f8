// xbt train: trains a compatibility adapter between an old and a new model
// (least squares, Procrustes, XBT stage 1, full XBT, or the FCT gallery
// transform) and saves it in the workspace. Resumes an interrupted run.
#include "app/xbt/Command.h"
#include "app/xbt/InterruptCancel.h"
#include "app/xbt/ModelCli.h"
#include "core/pipeline/UpgradeSession.h"
#include "core/adapt/AdapterTraining.h"
#include "core/util/JsonText.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"

#include <cstdio>
#include <unistd.h>

namespace xbt::cli {

namespace {

nlohmann::json readConfig(const std::string& path)
{
    if (path.empty())
        return nlohmann::json::object();
    nlohmann::json j = readJsonFile(path);
    if (!j.is_object())
        throw Error(path + ": expected a JSON object of settings, e.g. {\"stage1_steps\": 500}");
    return j;
}

// Lines on a log, a redrawn bar on a terminal.
AdapterProgressCallback printer(int every)
{
    const bool terminal = isatty(fileno(stderr));
    return [terminal, every](const AdapterTrainProgress& p) {
        const bool validation = p.validationT2I >= 0;
        if (p.totalSteps <= 0) {
            if (!p.message.empty())
                std::fprintf(stderr, "%s: %s\n", p.stage.c_str(), p.message.c_str());
            return;
        }
        if (!terminal && !validation && p.step % every != 0 && p.step != p.totalSteps)
            return;
        const int width = 24;
        const int filled = static_cast<int>(width * p.step / std::max<int64_t>(1, p.totalSteps));
        std::string bar(static_cast<size_t>(filled), '#');
        bar.resize(width, '.');
        std::fprintf(stderr, "%s%-8s [%s] %5lld/%lld  loss %.4f  lr %.2e  %7.0f samples/s  %s", terminal ? "\r" : "",
                     p.stage.c_str(), bar.c_str(), static_cast<long long>(p.step), static_cast<long long>(p.totalSteps),
                     p.loss, p.learningRate, p.samplesPerSecond, p.device.c_str());
        if (validation)
            std::fprintf(stderr, "  val R@1 T2I %.1f%% I2T %.1f%%", 100 * p.validationT2I, 100 * p.validationI2T);
        if (!terminal || validation || p.step == p.totalSteps)
            std::fprintf(stderr, "\n");
    };
}

int run(const CliArgs& args)
{
    AdapterTrainRequest request;
    request.method = args.required("method");
    request.workspaceDir = args.required("workspace");
    request.oldModel = args.required("old");
    request.newModel = args.required("new");
    request.name = args.value("name", request.method);
    request.modelOptions = modelOptionsFrom(args);
    request.corpusFile = args.value("corpus");
    request.pairsDir = args.value("pairs");
    request.validationDir = args.value("validation");
    request.unlabeledDir = args.value("unlabeled");
    request.gallery = args.value("gallery");
    request.config = readConfig(args.value("config"));
    request.device = request.modelOptions.device;
    request.resume = !args.has("restart");

    UpgradeSession session(request.workspaceDir, request.modelOptions, UpgradeSession::Open::CreateIfMissing);
    const AdapterTrainResult r =
        session.train(request, printer(std::max(1, args.intValue("log-every", 50))), cancelOnInterrupt());
    const AdapterInfo& info = r.info;
    std::printf("trained adapter '%s' (%s, %s): %s -> %s in %.1f s on %s%s\n", info.name.c_str(), info.method.c_str(),
                adapterKindName(info.kind), info.newModel.name.c_str(), info.oldModel.name.c_str(), r.seconds,
                info.device.c_str(),
                r.resumedFromStep > 0 ? (" (resumed at step " + std::to_string(r.resumedFromStep) + ")").c_str() : "");
    if (!info.data.empty())
        std::printf("data: %s\n", info.data.dump().c_str());
    const AdapterValidationHeadline h = validationHeadline(info);
    if (h.available)
        std::printf("validation: %s R@1 T2I %.1f%%, I2T %.1f%%; %s\n", h.configuration.c_str(), 100 * h.t2iR1,
                    100 * h.i2tR1, criterionSentence(h).c_str());
    else
        std::printf("no validation split given: evaluate with xbt eval to see whether it is compatible\n");
    if (info.kind == AdapterKind::Query)
        std::printf("queries: interpolated with the old model's, %s (%s)\n", info.interpolation.describe().c_str(),
                    info.interpolation.chosenBy.empty() ? "adapter saved before interpolation"
                                                        : info.interpolation.chosenBy.c_str());
    if (info.metrics.contains("stage_choice"))
        std::printf("stage choice: %s\n", info.metrics["stage_choice"].value("reason", std::string()).c_str());
    std::printf("saved in %s; evaluate with: xbt eval --workspace %s --adapters %s ...\n", r.adapterDir.c_str(),
                request.workspaceDir.c_str(), info.name.c_str());
    return kExitOk;
}

}  // namespace

Command makeTrainCommand()
{
    const std::vector<OptionSpec> specs = oldNewModelOptionSpecs();
    return {"train",
            "train a compatibility adapter (lstsq, procrustes, slerp, xbt-stage1, xbt, fct) into a workspace; "
            "an interrupted run resumes",
            "xbt train --method lstsq|procrustes|slerp|xbt-stage1|xbt|fct --workspace WS --old M --new M [--name NAME] "
            "[--corpus FILE] [--pairs SPLIT_DIR] [--unlabeled IMAGE_DIR] [--gallery NAME] [--config FILE]",
            concatSpecs(specs,
                        {{"method", "METHOD", "lstsq | procrustes | slerp | xbt-stage1 | xbt | fct (see docs/compatibility.md)"},
                         {"workspace", "WS", "the workspace the adapter is saved in (created when missing)"},
                         {"name", "NAME", "the adapter's name (default: the method)"},
                         {"corpus", "FILE", "text corpus, one sentence per line (stage 1 and closed forms)"},
                         {"pairs", "DIR", "a split folder of image-text pairs (stage 2, FCT, image pairs)"},
                         {"validation", "DIR", "a split folder for validation recall while training"},
                         {"unlabeled", "DIR",
                          "xbt: a folder of images without captions (a sample of the gallery's own, say); stage 2 "
                          "captions each with the corpus sentence the new model ranks first and pulls those "
                          "sentences onto the old model's embeddings of the images"},
                         {"gallery", "NAME", "fct: the gallery whose stored vectors the transform moves"},
                         {"config", "FILE", "JSON of the method's settings; `xbt adapters --settings` lists them"},
                         {"restart", "", "ignore a matching checkpoint and start over"},
                         {"log-every", "N", "on a log (not a terminal), print every N steps (default 50)"}}),
            run};
}

}  // namespace xbt::cli

// xbt adapters: lists a workspace's adapters with their metrics, prints every
// method's settings and defaults, and exports an adapter for use elsewhere.
#include "app/xbt/Command.h"
#include "app/xbt/WorkspaceEntryCli.h"
#include "core/adapt/AdapterStore.h"
#include "core/adapt/AdapterTraining.h"
#include "core/embed/SideInformation.h"
#include "core/workspace/Workspace.h"
#include "core/util/Error.h"

#include <cstdio>
#include <iostream>

namespace xbt::cli {

namespace {

std::string percentOf(bool available, double v)
{
    if (!available)
        return "-";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.1f", 100.0 * v);
    return buf;
}

void printSettings()
{
    const nlohmann::json all = adapterMethodSettings();
    for (const auto& [method, settings] : all.items()) {
        std::printf("%s\n", method.c_str());
        for (const auto& [key, spec] : settings.items())
            std::printf("  %-22s default %-10s %s\n", key.c_str(), spec.value("default", nlohmann::json()).dump().c_str(),
                        spec.value("help", std::string()).c_str());
    }
}

// "t:s0.6 i:l0.4" (texts spherical a=0.6, images linear a=0.4), "off" (the adapter alone); for gallery
// transforms the side information they read ("side:captions") or "-".
std::string interpolationColumn(const AdapterInfo& a)
{
    if (a.kind != AdapterKind::Query) {
        const SideInformationUse use =
            SideInformationSpec::recordedUse(a.data.value("side_information", nlohmann::json()), "adapter " + a.name);
        return use.any() ? "side:" + use.name() : "-";
    }
    const QueryInterpolation& q = a.interpolation;
    if (!q.active())
        return "off";
    const auto side = [](const char* tag, const InterpolationSide& x) {
        char b[32];
        std::snprintf(b, sizeof b, "%s%s%.2g", tag, x.kind == InterpolationKind::Spherical ? "s" : "l", x.weight);
        return std::string(b);
    };
    return side("t:", q.texts) + " " + side("i:", q.images);
}

// How image queries are adapted: "lora", "feature-adapter", "image-map" (psi
// alone), "lora+map0.8" (psi mixed in at share 0.8) or "-".
std::string towerColumn(const AdapterInfo& a)
{
    const std::string tower = a.imageTowerAdaptation == "feature-adapter" ? "feature" : a.imageTowerAdaptation;
    if (a.imageMapShare >= 1.0)
        return tower.empty() ? "-" : a.imageTowerAdaptation;
    char share[16];
    std::snprintf(share, sizeof share, "%.2g", a.imageMapShare);
    return (tower.empty() ? "phi" : tower) + "+map" + share;
}

int run(const CliArgs& args)
{
    if (args.has("settings")) {
        printSettings();
        return kExitOk;
    }
    if (args.has("rename") || args.has("delete")) {
        Workspace workspace = Workspace::open(args.required("workspace"), Workspace::Mode::ReadWrite);
        return renameOrDelete(args, "adapter", [&](const std::string& from, const std::string& to) {
            workspace.renameAdapter(from, to);
        }, [&](const std::string& name) { workspace.deleteAdapter(name); });
    }
    const Workspace workspace = Workspace::open(args.required("workspace"), Workspace::Mode::ReadOnly);
    if (args.has("export")) {
        const auto adapter = loadAdapter(workspace, args.value("export"));
        AdapterExportOptions options;
        options.newModelSpec = args.value("new");
        const ExportResult r = exportAdapter(*adapter, args.required("out"), options);
        std::printf("%s\n%s\n", r.torchscriptPath.c_str(), r.metadataPath.c_str());
        if (!r.adaptedTowerFolder.empty())
            std::printf("%s\n", r.adaptedTowerFolder.c_str());
        if (!r.note.empty())
            std::fprintf(stderr, "%s\n", r.note.c_str());
        return kExitOk;
    }
    const std::vector<AdapterInfo> adapters = listAdapters(workspace);
    if (args.has("json")) {
        nlohmann::json list = nlohmann::json::array();
        for (const AdapterInfo& a : adapters)
            list.push_back(a.toJson());
        std::cout << list.dump(2) << "\n";
        return kExitOk;
    }
    if (adapters.empty()) {
        std::printf("no adapters in %s; train one with xbt train\n", workspace.dir().c_str());
        return kExitOk;
    }
    std::printf("%-16s %-11s %-7s %-24s %-15s %-17s %8s %8s %10s %8s\n", "name", "method", "kind", "new -> old",
                "tower", "interpolation", "T2I R@1", "I2T R@1", "criterion", "seconds");
    for (const AdapterInfo& a : adapters) {
        const AdapterValidationHeadline h = validationHeadline(a);
        std::printf("%-16s %-11s %-7s %-24s %-15s %-17s %8s %8s %10s %8.1f\n", a.name.c_str(), a.method.c_str(),
                    adapterKindName(a.kind), (a.newModel.name + " -> " + a.oldModel.name).c_str(),
                    towerColumn(a).c_str(),
                    interpolationColumn(a).c_str(),
                    percentOf(h.available, h.t2iR1).c_str(), percentOf(h.available, h.i2tR1).c_str(),
                    h.available ? (h.criterionMet ? "met" : "not met") : "-", a.trainingSeconds);
    }
    std::printf("(validation at save time, queries as deployed; interpolation: a of text / image queries, 0 = today's "
                "query, 1 = the adapter alone, lin = linear, sph = spherical; tower: how image queries are adapted, +map0.8: "
                "the image map mixed in at share 0.8; side: the side information a gallery transform "
                "reads; xbt eval --workspace ... gives the full "
                "comparison)\n");
    return kExitOk;
}

}  // namespace

Command makeAdaptersCommand()
{
    return {"adapters",
            "list a workspace's adapters with their metrics; print method settings; export, rename or delete an "
            "adapter",
            "xbt adapters --workspace WS [--json]\n"
            "       xbt adapters --workspace WS --export NAME --out DIR [--new M]\n"
            "       xbt adapters --workspace WS (--rename OLD NEW | --delete NAME)\n"
            "       xbt adapters --settings",
            {{"workspace", "WS", "the workspace"},
             {"json", "", "print the adapters' full metadata as JSON"},
             {"export", "NAME", "write NAME.pt (TorchScript) and NAME.json into --out"},
             {"out", "DIR", "export folder"},
             {"new", "M", "export of a LoRA adapter: the new model folder to merge into (default: by name)"},
             {"settings", "", "print every method's settings with their defaults"},
             {"rename", "OLD", "rename adapter OLD to the NEW name given after it"},
             {"delete", "NAME", "delete an adapter (refused while it trains)"}},
            run};
}

}  // namespace xbt::cli

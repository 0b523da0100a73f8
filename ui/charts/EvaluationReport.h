#pragma once
// Everything a stakeholder needs from one evaluation, written beside its
// results.json: four chart PNGs, a self-contained HTML report (charts
// embedded) and the same report as a PDF.

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace xbt {

struct ReportFiles {
    std::string html;
    std::string pdf;
    std::vector<std::string> pngs;
};

// Writes recall_t2i.png, recall_i2t.png, matrix_t2i.png, matrix_i2t.png,
// report.html and report.pdf into outDir (created if missing), each file
// atomically. Creates the QApplication it needs (see OffscreenGui.h). Throws
// xbt::Error for a malformed results.json or an unwritable folder.
ReportFiles writeEvaluationArtifacts(const nlohmann::json& results, const std::string& outDir);

}  // namespace xbt

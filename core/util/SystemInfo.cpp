#include "core/util/SystemInfo.h"

#include <fstream>
#include <set>
#include <thread>

namespace xbt {

int coreCount()
{
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

std::string cpuModelName()
{
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("model name", 0) == 0) {
            const auto colon = line.find(':');
            if (colon != std::string::npos)
                return line.substr(line.find_first_not_of(" \t", colon + 1));
        }
    }
    return "unknown CPU";
}

std::string activeBlasLibrary()
{
    std::ifstream in("/proc/self/maps");
    std::string line;
    std::set<std::string> found;
    while (std::getline(in, line)) {
        const auto slash = line.find('/');
        if (slash == std::string::npos)
            continue;
        const std::string path = line.substr(slash);
        if (path.find("openblas") != std::string::npos || path.find("libblas") != std::string::npos ||
            path.find("libmkl") != std::string::npos || path.find("blis") != std::string::npos ||
            path.find("atlas") != std::string::npos)
            found.insert(path);
    }
    if (found.empty())
        return "unknown (no BLAS library mapped yet)";
    std::string kind = "reference BLAS";
    for (const std::string& p : found) {
        if (p.find("openblas") != std::string::npos)
            kind = "OpenBLAS";
        else if (p.find("mkl") != std::string::npos)
            kind = "MKL";
        else if (p.find("blis") != std::string::npos)
            kind = "BLIS";
        else if (p.find("atlas") != std::string::npos)
            kind = "ATLAS";
    }
    std::string out = kind + " (";
    bool first = true;
    for (const std::string& p : found) {
        out += (first ? "" : ", ") + p;
        first = false;
    }
    return out + ")";
}

}  // namespace xbt

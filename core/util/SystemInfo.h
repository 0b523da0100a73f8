#pragma once
// Facts about the machine that benchmark tables must state.

#include <string>

namespace xbt {

int coreCount();
std::string cpuModelName();
// The BLAS library actually mapped into this process (e.g. "openblas-pthread
// (libblas.so.3 -> .../openblas-pthread/libblas.so.3)"), or "unknown". Debian's
// LibTorch calls the generic libblas.so.3, so which one is active matters ~35x.
std::string activeBlasLibrary();

}  // namespace xbt

#pragma once
// Process-wide LibTorch settings and facts the user should see (`xbt info`,
// benchmarks): thread count, CUDA, version. The BLAS library in use is
// reported by core/util/SystemInfo.h.

#include <string>

namespace xbt {

// Sets torch's intra-op threads to `threads`, or to every core when 0.
// Debian's LibTorch starts at 1 thread, so this must always be called.
// Returns the count now in effect.
int configureTorchThreads(int threads);
int torchThreads();
bool torchCudaAvailable();
// The LibTorch version this build was compiled against, e.g. "1.13.0".
std::string torchVersion();

}  // namespace xbt

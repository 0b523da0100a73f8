#pragma once
// Keeps freed memory in the process for reuse instead of handing it back to
// the kernel after every model forward pass.
//
// Why: glibc serves large blocks (a batch's activations: tens of MB) with
// mmap and unmaps them on free, so every forward pass page-faults its
// activations in again. Measured with `perf` on `xbt bench query --rerank 50`
// (2 cores): a fifth of the time went to page faults, and raising the
// thresholds took re-ranking from ~150 ms to ~40 ms a query (docs/benchmarks.md).
// Call once at the start of main, before any thread starts. A user's own
// MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ take precedence; a no-op
// outside glibc.

namespace xbt {

void keepFreedMemoryForReuse();

}  // namespace xbt

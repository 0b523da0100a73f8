#pragma once
// Process-wide tuning done once at the start of main, before any thread
// starts: how the runtime libraries under the models use the machine.

namespace xbt {

// Keeps freed memory in the process for reuse instead of handing it back
// to the kernel after every model forward pass.
//
// Why: glibc serves large blocks (a batch's activations: tens of MB) with
// mmap and unmaps them on free, so every forward pass page-faults its
// activations in again. Measured with `perf` on `xbt bench query --rerank 50`
// (2 cores): a fifth of the time went to page faults, and raising the
// thresholds took re-ranking from ~150 ms to ~40 ms a query (docs/benchmarks.md).
// A user's own MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ take
// precedence; a no-op outside glibc.
void keepFreedMemoryForReuse();

// Makes OpenMP's idle threads sleep instead of spinning (OMP_WAIT_POLICY=
// passive), by running the program again with that setting when the user
// has not chosen one: libgomp reads it while it loads, before main.
//
// Why: torch's OpenMP workers spin between parallel regions and take the
// cores the image-decoding threads, the GUI and the database need. `perf`
// on `xbt backfill` (2 cores) showed a third of the time in libgomp's spin
// and sched_yield; passive waiting doubled `xbt index` and `xbt backfill`
// (about 240 -> 450 images/s, docs/benchmarks.md). Costs one more program
// start (a fraction of a second). Linux only; anything that goes wrong
// leaves the program running as it is.
void sleepIdleOpenMpThreads(char** argv);

}  // namespace xbt

#include "core/util/ProcessTuning.h"

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <unistd.h>
#endif

namespace xbt {

void keepFreedMemoryForReuse()
{
#if defined(__GLIBC__)
    // Blocks up to 256 MiB come from the heap (larger ones, e.g. a whole
    // gallery matrix, still get their own mapping), and up to 512 MiB of free
    // heap top is kept rather than trimmed.
    if (!std::getenv("MALLOC_MMAP_THRESHOLD_"))
        mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
    if (!std::getenv("MALLOC_TRIM_THRESHOLD_"))
        mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
#endif
}

void sleepIdleOpenMpThreads(char** argv)
{
#if defined(__linux__)
    if (std::getenv("OMP_WAIT_POLICY") || !argv || !argv[0])
        return;  // the user's choice, or already relaunched
    if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0)
        return;
    execv("/proc/self/exe", argv);
    // Still here: the relaunch failed; go on with spinning workers (the
    // setting stays in the environment so that a retry does not loop).
#else
    (void)argv;
#endif
}

}  // namespace xbt

#include "core/util/AllocatorTuning.h"

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
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

}  // namespace xbt

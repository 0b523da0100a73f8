#include "app/xbt/CliProgress.h"

#include <cstdio>
#include <unistd.h>

namespace xbt::cli {

ProgressCallback terminalProgress()
{
    if (!::isatty(STDERR_FILENO))
        return {};
    return [](const Progress& p) {
        const int width = 30;
        const double frac = p.total > 0 ? static_cast<double>(p.done) / static_cast<double>(p.total) : 0.0;
        const int filled = static_cast<int>(frac * width);
        std::fprintf(stderr, "\r%s [%.*s%*s] %lld/%lld", p.stage.c_str(), filled,
                     "##############################", width - filled, "", static_cast<long long>(p.done),
                     static_cast<long long>(p.total));
        if (p.itemsPerSecond > 0)
            std::fprintf(stderr, "  %.1f/s", p.itemsPerSecond);
        if (p.etaSeconds >= 0)
            std::fprintf(stderr, "  ETA %.0fs", p.etaSeconds);
        std::fprintf(stderr, "\033[K");
        if (p.total > 0 && p.done >= p.total)
            std::fprintf(stderr, "\n");
        std::fflush(stderr);
    };
}

}  // namespace xbt::cli

#include "app/xbt/InterruptCancel.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <csignal>
#include <cstdlib>
#include <thread>
#include <unistd.h>

namespace xbt::cli {

namespace {

volatile std::sig_atomic_t g_signals = 0;

void onSignal(int)
{
    if (g_signals++ > 0)
        std::_Exit(130);
    static const char msg[] = "\ninterrupted: stopping after the current step (press again to quit now)\n";
    (void)!::write(STDERR_FILENO, msg, sizeof msg - 1);
}

}  // namespace

CancelToken cancelOnInterrupt()
{
    static CancelToken token;
    static std::once_flag once;
    std::call_once(once, [] {
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
        // A signal handler may only touch sig_atomic_t: a watcher thread
        // turns the flag into a cancellation.
        std::thread([] {
            while (g_signals == 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            token.cancel();
        }).detach();
    });
    return token;
}

}  // namespace xbt::cli

#include "core/model/TorchRuntime.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <thread>

namespace xbt {

int configureTorchThreads(int threads)
{
    const int wanted = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    if (torch::get_num_threads() != wanted)
        torch::set_num_threads(wanted);
    return torch::get_num_threads();
}

int torchThreads()
{
    return torch::get_num_threads();
}

bool torchCudaAvailable()
{
    return torch::cuda::is_available();
}

std::string torchVersion()
{
    return TORCH_VERSION;
}

}  // namespace xbt

#include "core/model/torch/TorchTensors.h"

#include "core/model/TorchRuntime.h"
#include "core/util/Error.h"
#include "core/util/Sha256.h"

#include <cstring>
#include <optional>

namespace xbt {

torch::Tensor stackPixels(const std::vector<PixelTensor>& images, const torch::Device& device)
{
    if (images.empty())
        throw Error("no images to encode");
    const PixelTensor& first = images.front();
    auto batch = torch::empty({static_cast<int64_t>(images.size()), first.channels, first.height, first.width},
                              torch::kFloat32);
    const size_t plane = first.data.size();
    float* dst = batch.data_ptr<float>();
    for (size_t i = 0; i < images.size(); ++i) {
        const PixelTensor& img = images[i];
        if (img.channels != first.channels || img.height != first.height || img.width != first.width)
            throw Error("images of one batch must share a size: got " + std::to_string(img.width) + "x" +
                        std::to_string(img.height) + " and " + std::to_string(first.width) + "x" +
                        std::to_string(first.height));
        std::memcpy(dst + i * plane, img.data.data(), plane * sizeof(float));
    }
    return device.is_cpu() ? batch : batch.to(device);
}

Matrix toMatrix(const torch::Tensor& t)
{
    if (t.dim() != 2)
        throw Error("expected a 2-D embedding tensor, got " + std::to_string(t.dim()) + " dimensions");
    const auto cpu = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    Matrix m(cpu.size(0), cpu.size(1));
    std::memcpy(m.data.data(), cpu.data_ptr<float>(), m.data.size() * sizeof(float));
    return m;
}

torch::Tensor fromMatrix(const Matrix& m, const torch::Device& device)
{
    auto t = torch::from_blob(const_cast<float*>(m.data.data()), {m.rows, m.cols}, torch::kFloat32).clone();
    return device.is_cpu() ? t : t.to(device);
}

torch::Device resolveDevice(const std::string& requested)
{
    if (requested.empty() || requested == "auto")
        return torchCudaAvailable() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    std::optional<torch::Device> device;
    try {
        device = torch::Device(requested);
    } catch (const c10::Error&) {
        throw Error("device '" + requested + "' is not valid: use auto, cpu, cuda or cuda:N");
    }
    if (device->is_cuda()) {
        if (!torchCudaAvailable())
            throw Error("device '" + requested + "' was asked for, but LibTorch " + torchVersion() +
                        " sees no CUDA device in this build; use --device cpu");
        if (device->has_index() && device->index() >= static_cast<int>(torch::cuda::device_count()))
            throw Error("device '" + requested + "' does not exist: " + std::to_string(torch::cuda::device_count()) +
                        " CUDA device(s) present");
    } else if (!device->is_cpu()) {
        throw Error("device '" + requested + "' is not supported: use auto, cpu, cuda or cuda:N");
    }
    return *device;
}

std::string hashModuleWeights(const torch::nn::Module& module, const std::string& extra)
{
    Sha256 h;
    auto feed = [&](const std::string& name, const torch::Tensor& t) {
        const auto cpu = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
        h.update(name);
        for (int64_t s : cpu.sizes())
            h.update(std::to_string(s) + ",");
        h.update(cpu.data_ptr<float>(), static_cast<size_t>(cpu.numel()) * sizeof(float));
    };
    for (const auto& p : module.named_parameters())
        feed(p.key(), p.value());
    for (const auto& b : module.named_buffers())
        feed(b.key(), b.value());
    h.update(extra);
    return h.hexDigest();
}

}  // namespace xbt

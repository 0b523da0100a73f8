#include "core/adapt/training/torch/XbtProjectionModule.h"

#include "core/model/torch/TorchTensors.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>
#include <cstring>

namespace xbt {

namespace F = torch::nn::functional;

XbtProjectionImpl::XbtProjectionImpl(const Matrix& a, int64_t hiddenWidth, uint64_t seed)
{
    linear = register_parameter("linear", fromMatrix(a, torch::kCPU));
    if (hiddenWidth <= 0)
        return;
    hidden = register_module("hidden", torch::nn::Linear(a.cols, hiddenWidth));
    out = register_module("out", torch::nn::Linear(hiddenWidth, a.rows));
    torch::NoGradGuard noGrad;
    // PyTorch's default Linear init, from our own generator.
    at::Generator gen = at::detail::createCPUGenerator(seed * 2654435761ULL + 17);
    const double bound = 1.0 / std::sqrt(static_cast<double>(a.cols));
    hidden->weight.uniform_(-bound, bound, gen);
    hidden->bias.uniform_(-bound, bound, gen);
    out->weight.zero_();
    out->bias.zero_();
}

XbtProjectionImpl::XbtProjectionImpl(const ProjectionWeights& w)
{
    linear = register_parameter("linear", fromMatrix(w.linear, torch::kCPU));
    if (!w.hasResidual())
        return;
    hidden = register_module("hidden", torch::nn::Linear(w.hiddenWeight.cols, w.hiddenWeight.rows));
    out = register_module("out", torch::nn::Linear(w.outWeight.cols, w.outWeight.rows));
    torch::NoGradGuard noGrad;
    hidden->weight.copy_(fromMatrix(w.hiddenWeight, torch::kCPU));
    hidden->bias.copy_(fromVector(w.hiddenBias));
    out->weight.copy_(fromMatrix(w.outWeight, torch::kCPU));
    out->bias.copy_(fromVector(w.outBias));
}

torch::Tensor XbtProjectionImpl::unnormalized(const torch::Tensor& z)
{
    auto y = torch::matmul(z, linear.t());
    if (hidden)
        y = y + out(F::gelu(hidden(z)));
    return y;
}

torch::Tensor XbtProjectionImpl::forward(const torch::Tensor& z)
{
    return F::normalize(unnormalized(z), F::NormalizeFuncOptions().dim(1));
}

torch::Tensor XbtProjectionImpl::forwardFixedWeights(const torch::Tensor& z)
{
    auto y = torch::matmul(z, linear.detach().t());
    if (hidden)
        y = y + F::linear(F::gelu(F::linear(z, hidden->weight.detach(), hidden->bias.detach())), out->weight.detach(),
                          out->bias.detach());
    return F::normalize(y, F::NormalizeFuncOptions().dim(1));
}

ProjectionWeights XbtProjectionImpl::weights() const
{
    ProjectionWeights w;
    w.linear = toMatrix(linear);
    if (hidden) {
        w.hiddenWeight = toMatrix(hidden->weight);
        w.hiddenBias = toVector(hidden->bias);
        w.outWeight = toMatrix(out->weight);
        w.outBias = toVector(out->bias);
    }
    return w;
}

Matrix applyWithoutGrad(const std::function<torch::Tensor(const torch::Tensor&)>& map, const Matrix& rows,
                        const torch::Device& device)
{
    torch::NoGradGuard noGrad;
    Matrix out;
    constexpr int64_t kChunk = 4096;
    for (int64_t b = 0; b < rows.rows; b += kChunk) {
        const int64_t e = std::min(rows.rows, b + kChunk);
        std::vector<int64_t> idx;
        for (int64_t i = b; i < e; ++i)
            idx.push_back(i);
        out.appendRows(toMatrix(map(fromMatrix(rows.selectRows(idx), device))));
    }
    return out;
}

std::vector<float> toVector(const torch::Tensor& t)
{
    const auto cpu = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    std::vector<float> v(static_cast<size_t>(cpu.numel()));
    std::memcpy(v.data(), cpu.data_ptr<float>(), v.size() * sizeof(float));
    return v;
}

torch::Tensor fromVector(const std::vector<float>& v)
{
    return torch::from_blob(const_cast<float*>(v.data()), {static_cast<int64_t>(v.size())}, torch::kFloat32).clone();
}

}  // namespace xbt

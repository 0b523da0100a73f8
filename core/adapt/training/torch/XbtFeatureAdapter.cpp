#include "core/adapt/training/torch/XbtFeatureAdapter.h"

#include "core/adapt/training/torch/OptimizationLoop.h"
#include "core/adapt/training/torch/XbtProjectionModule.h"
#include "core/model/torch/TorchTensors.h"

#include <torch/torch.h>

#include <cmath>

namespace xbt {

namespace F = torch::nn::functional;

XbtFeatureAdapterImpl::XbtFeatureAdapterImpl(int64_t dims, int64_t hidden, uint64_t seed)
{
    down = register_module("down", torch::nn::Linear(dims, hidden));
    up = register_module("up", torch::nn::Linear(hidden, dims));
    torch::NoGradGuard noGrad;
    at::Generator gen = stepGenerator(seed, 11, 0);
    const double bound = 1.0 / std::sqrt(static_cast<double>(dims));
    down->weight.uniform_(-bound, bound, gen);
    down->bias.uniform_(-bound, bound, gen);
    up->weight.zero_();
    up->bias.zero_();
}

torch::Tensor XbtFeatureAdapterImpl::forward(const torch::Tensor& z)
{
    return F::normalize(z + up(F::gelu(down(z))), F::NormalizeFuncOptions().dim(1));
}

FeatureAdapterWeights XbtFeatureAdapterImpl::weights() const
{
    FeatureAdapterWeights w;
    w.down = toMatrix(down->weight);
    w.downBias = toVector(down->bias);
    w.up = toMatrix(up->weight);
    w.upBias = toVector(up->bias);
    return w;
}

namespace {

class FeatureImageSide : public XbtImageSide {
public:
    FeatureImageSide(const Matrix& train, const Matrix& validation, int64_t hidden, uint64_t seed,
                     const torch::Device& device)
        : adapter_(train.cols, hidden, seed), train_(fromMatrix(train, device)), validation_(validation),
          device_(device)
    {
        adapter_->to(device);
    }

    std::string adaptation() const override { return "feature-adapter"; }
    std::shared_ptr<torch::nn::Module> trainable() override { return adapter_.ptr(); }
    int64_t trainingImages() const override { return train_.size(0); }
    torch::Tensor embedTraining(const std::vector<int64_t>& rows) override { return adapter_(gatherRows(train_, rows)); }
    Matrix embedValidation() override
    {
        return applyWithoutGrad([&](const torch::Tensor& z) { return adapter_(z); }, validation_, device_);
    }
    void storeInto(CompatibilityAdapter& adapter) const override { adapter.setFeatureAdapter(adapter_->weights()); }

private:
    XbtFeatureAdapter adapter_;
    torch::Tensor train_;
    Matrix validation_;
    torch::Device device_;
};

}  // namespace

std::unique_ptr<XbtImageSide> makeFeatureImageSide(const Matrix& trainImages, const Matrix& validationImages,
                                                   int64_t hidden, uint64_t seed, const torch::Device& device)
{
    return std::make_unique<FeatureImageSide>(trainImages, validationImages, hidden, seed, device);
}

}  // namespace xbt

#include "core/adapt/CeilingFit.h"

#include "core/adapt/ClosedFormFit.h"
#include "core/model/torch/TorchTensors.h"
#include "core/util/Error.h"

#include <torch/torch.h>

namespace xbt {

namespace {

// A linear map W [d_out, d_in] trained so that normalize(W x_q) scores its
// positives (rows of `positives`, any number per query) above the rest of
// `gallery`; the loss is -log of the softmax mass on the positives.
Matrix refine(const Matrix& init, const Matrix& queries, const Matrix& gallery,
              const std::vector<std::vector<int64_t>>& positives, const CeilingFitOptions& o)
{
    torch::manual_seed(o.seed);
    const torch::Tensor x = fromMatrix(queries, torch::kCPU);
    const torch::Tensor g = fromMatrix(gallery, torch::kCPU);
    torch::Tensor mask = torch::zeros({queries.rows, gallery.rows}, torch::kBool);
    {
        auto m = mask.accessor<bool, 2>();
        for (size_t q = 0; q < positives.size(); ++q)
            for (int64_t p : positives[q])
                m[static_cast<int64_t>(q)][p] = true;
    }
    torch::Tensor w = fromMatrix(init, torch::kCPU).clone().set_requires_grad(true);
    torch::optim::Adam optimizer({w}, torch::optim::AdamOptions(o.learningRate));
    for (int step = 0; step < o.steps; ++step) {
        const torch::Tensor mapped = torch::nn::functional::normalize(
            torch::matmul(x, w.t()), torch::nn::functional::NormalizeFuncOptions().dim(1));
        const torch::Tensor logits = torch::matmul(mapped, g.t()) / o.temperature;
        const torch::Tensor all = torch::logsumexp(logits, 1);
        const torch::Tensor pos = torch::logsumexp(logits.masked_fill(~mask, -1e9), 1);
        const torch::Tensor loss = (all - pos).mean();
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    }
    return toMatrix(w.detach());
}

Matrix applyLinear(const Matrix& w, const Matrix& in)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor out = torch::nn::functional::normalize(
        torch::matmul(fromMatrix(in, torch::kCPU), fromMatrix(w, torch::kCPU).t()),
        torch::nn::functional::NormalizeFuncOptions().dim(1));
    return toMatrix(out);
}

}  // namespace

CeilingQueries fitCeilingQueries(const Matrix& newTexts, const Matrix& newImages, const Matrix& oldTexts,
                                 const Matrix& oldImages, const std::vector<int64_t>& captionImage,
                                 const CeilingFitOptions& options)
{
    if (static_cast<int64_t>(captionImage.size()) != newTexts.rows || newTexts.rows != oldTexts.rows ||
        newImages.rows != oldImages.rows)
        throw Error("ceiling fit: the split's captions and images must be embedded by both models, row for row");
    // Text queries: caption t -> the old embedding of its image.
    std::vector<int64_t> imageRows(captionImage.begin(), captionImage.end());
    std::vector<std::vector<int64_t>> imageOfCaption(captionImage.size());
    std::vector<std::vector<int64_t>> captionsOfImage(static_cast<size_t>(newImages.rows));
    for (size_t t = 0; t < captionImage.size(); ++t) {
        imageOfCaption[t] = {captionImage[t]};
        captionsOfImage[static_cast<size_t>(captionImage[t])].push_back(static_cast<int64_t>(t));
    }
    CeilingQueries out;
    const Matrix textInit = fitLeastSquares(newTexts, oldImages.selectRows(imageRows));
    out.texts = applyLinear(refine(textInit, newTexts, oldImages, imageOfCaption, options), newTexts);
    // Image queries: image i -> the mean old embedding of its captions.
    std::vector<int64_t> withCaptions;
    Matrix meanCaption(newImages.rows, oldTexts.cols);
    for (size_t i = 0; i < captionsOfImage.size(); ++i) {
        if (captionsOfImage[i].empty())
            continue;
        withCaptions.push_back(static_cast<int64_t>(i));
        for (int64_t t : captionsOfImage[i])
            for (int64_t d = 0; d < oldTexts.cols; ++d)
                meanCaption.at(static_cast<int64_t>(i), d) += oldTexts.at(t, d);
    }
    if (withCaptions.empty())
        throw Error("ceiling fit: no image of the split has a caption");
    const Matrix imageInit = fitLeastSquares(newImages.selectRows(withCaptions), meanCaption.selectRows(withCaptions));
    std::vector<std::vector<int64_t>> positives;
    for (int64_t i : withCaptions)
        positives.push_back(captionsOfImage[static_cast<size_t>(i)]);
    const Matrix imageMap = refine(imageInit, newImages.selectRows(withCaptions), oldTexts, positives, options);
    out.images = applyLinear(imageMap, newImages);
    return out;
}

}  // namespace xbt

#include "core/adapt/AdapterTensors.h"

#include "core/util/Error.h"

namespace xbt {

namespace {

NamedTensor matrixTensor(const Matrix& m) { return {{m.rows, m.cols}, m.data}; }
NamedTensor vectorTensor(const std::vector<float>& v) { return {{static_cast<int64_t>(v.size())}, v}; }

// Takes the named tensors out of `tensors` as it builds the adapter, so that
// what is left at the end is a name this build does not know.
class TensorTaker {
public:
    TensorTaker(NamedTensors& tensors, const std::string& source) : tensors_(tensors), source_(source) {}

    bool has(const std::string& name) const { return tensors_.count(name) > 0; }

    Matrix matrix(const std::string& name)
    {
        NamedTensor t = take(name);
        if (t.shape.size() != 2)
            fail(name, "must be 2-D, it has " + std::to_string(t.shape.size()) + " dimensions");
        Matrix m;
        m.rows = t.shape[0];
        m.cols = t.shape[1];
        m.data = std::move(t.values);
        return m;
    }

    std::vector<float> vector(const std::string& name)
    {
        NamedTensor t = take(name);
        if (t.shape.size() != 1)
            fail(name, "must be 1-D, it has " + std::to_string(t.shape.size()) + " dimensions");
        return std::move(t.values);
    }

    NamedTensor take(const std::string& name)
    {
        const auto it = tensors_.find(name);
        if (it == tensors_.end())
            fail(name, "is missing");
        NamedTensor t = std::move(it->second);
        tensors_.erase(it);
        int64_t count = 1;
        for (int64_t d : t.shape)
            count *= d;
        if (count != static_cast<int64_t>(t.values.size()))
            fail(name, "holds " + std::to_string(t.values.size()) + " values, its shape says " + std::to_string(count));
        return t;
    }

    [[noreturn]] void fail(const std::string& name, const std::string& what) const
    {
        throw Error(source_ + ": tensor '" + name + "' " + what);
    }

private:
    NamedTensors& tensors_;
    const std::string& source_;
};

void putProjection(NamedTensors& out, const std::string& prefix, const ProjectionWeights& p)
{
    out[prefix + ".linear"] = matrixTensor(p.linear);
    if (p.hasResidual()) {
        out[prefix + ".hidden_weight"] = matrixTensor(p.hiddenWeight);
        out[prefix + ".hidden_bias"] = vectorTensor(p.hiddenBias);
        out[prefix + ".out_weight"] = matrixTensor(p.outWeight);
        out[prefix + ".out_bias"] = vectorTensor(p.outBias);
    }
}

ProjectionWeights takeProjection(TensorTaker& take, const std::string& prefix)
{
    ProjectionWeights p;
    p.linear = take.matrix(prefix + ".linear");
    if (take.has(prefix + ".hidden_weight")) {
        p.hiddenWeight = take.matrix(prefix + ".hidden_weight");
        p.hiddenBias = take.vector(prefix + ".hidden_bias");
        p.outWeight = take.matrix(prefix + ".out_weight");
        p.outBias = take.vector(prefix + ".out_bias");
    }
    return p;
}

}  // namespace

NamedTensors adapterTensors(const CompatibilityAdapter& adapter)
{
    NamedTensors out;
    putProjection(out, "projection", adapter.projection());
    if (adapter.hasImageMap())
        putProjection(out, "image_map", adapter.imageMap());
    const FeatureAdapterWeights& f = adapter.featureAdapter();
    if (!f.empty()) {
        out["feature.down"] = matrixTensor(f.down);
        out["feature.down_bias"] = vectorTensor(f.downBias);
        out["feature.up"] = matrixTensor(f.up);
        out["feature.up_bias"] = vectorTensor(f.upBias);
    }
    for (const auto& [name, delta] : adapter.loraDeltas())
        out[kLoraTensorPrefix + name] = {adapter.loraShapes().at(name), delta.data};
    return out;
}

std::shared_ptr<CompatibilityAdapter> adapterFromTensors(AdapterInfo info, NamedTensors tensors,
                                                         const std::string& source)
{
    TensorTaker take(tensors, source);
    auto adapter = std::make_shared<CompatibilityAdapter>(std::move(info), takeProjection(take, "projection"));
    if (take.has("image_map.linear"))
        adapter->setImageMap(takeProjection(take, "image_map"));
    if (take.has("feature.down")) {
        FeatureAdapterWeights f;
        f.down = take.matrix("feature.down");
        f.downBias = take.vector("feature.down_bias");
        f.up = take.matrix("feature.up");
        f.upBias = take.vector("feature.up_bias");
        adapter->setFeatureAdapter(std::move(f));
    }
    std::map<std::string, Matrix> deltas;
    std::map<std::string, std::vector<int64_t>> shapes;
    const std::string prefix = kLoraTensorPrefix;
    std::vector<std::string> loraNames;
    for (const auto& [name, tensor] : tensors)
        if (name.compare(0, prefix.size(), prefix) == 0)
            loraNames.push_back(name);
    for (const std::string& name : loraNames) {
        NamedTensor t = take.take(name);
        if (t.shape.empty() || t.shape[0] <= 0)
            take.fail(name, "has no rows");
        Matrix m;
        m.rows = t.shape[0];
        m.cols = static_cast<int64_t>(t.values.size()) / m.rows;
        m.data = std::move(t.values);
        const std::string parameter = name.substr(prefix.size());
        deltas[parameter] = std::move(m);
        shapes[parameter] = std::move(t.shape);
    }
    if (!tensors.empty())
        take.fail(tensors.begin()->first, "is not a part of any adapter this xbt knows");
    if (!deltas.empty())
        adapter->setLoraDeltas(std::move(deltas), std::move(shapes));
    return adapter;
}

}  // namespace xbt

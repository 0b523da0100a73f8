#include "core/model/TorchGraphPatcher.h"

#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/script.h>

namespace xbt {

namespace {

using torch::jit::Block;
using torch::jit::Graph;
using torch::jit::Node;
using torch::jit::Value;

bool isHalfConstant(const Value* v)
{
    if (v->node()->kind() != c10::prim::Constant || v->type()->kind() != c10::TypeKind::IntType)
        return false;
    const auto iv = torch::jit::toIValue(v);
    return iv && iv->isInt() && iv->toInt() == static_cast<int64_t>(c10::ScalarType::Half);
}

// True when input `index` of `node` is a ScalarType (dtype) argument. The
// schema's real type says so for `ScalarType`/`ScalarType?` parameters; the
// name covers schemas that spell it as a plain int.
bool isDtypeArgument(const Node* node, size_t index)
{
    const c10::FunctionSchema* schema = node->maybeSchema();
    if (!schema || index >= schema->arguments().size())
        return false;
    const c10::Argument& arg = schema->arguments()[index];
    c10::TypePtr type = arg.real_type();
    if (const auto optional = type->cast<c10::OptionalType>())
        type = optional->getElementType();
    return type->kind() == c10::TypeKind::ScalarTypeType || arg.name() == "dtype";
}

class Patcher {
public:
    explicit Patcher(c10::Device device) : device_(device) {}

    void patchBlock(Block* block, Graph& graph)
    {
        for (Node* node : block->nodes()) {
            if (node->kind() == c10::prim::Constant)
                patchConstant(node);
            else
                patchDtypeInputs(node, graph);
            for (Block* sub : node->blocks())
                patchBlock(sub, graph);
        }
    }

private:
    void patchConstant(Node* node)
    {
        if (!node->hasAttribute(c10::attr::value))
            return;
        const c10::TypeKind kind = node->output()->type()->kind();
        if (kind == c10::TypeKind::DeviceObjType && node->kindOf(c10::attr::value) == torch::jit::AttributeKind::s) {
            // Every use of a Device constant is a placement, so the shared
            // constant itself can change.
            if (c10::Device(node->s(c10::attr::value)) != device_)
                node->s_(c10::attr::value, device_.str());
        } else if (kind == c10::TypeKind::TensorType && node->kindOf(c10::attr::value) == torch::jit::AttributeKind::t) {
            const at::Tensor t = node->t(c10::attr::value);
            if (t.scalar_type() == c10::ScalarType::Half || t.device() != device_) {
                const at::Tensor moved =
                    t.to(device_, t.scalar_type() == c10::ScalarType::Half ? c10::ScalarType::Float : t.scalar_type());
                node->t_(c10::attr::value, moved);
                node->output()->inferTypeFrom(moved);
            }
        }
    }

    void patchDtypeInputs(Node* node, Graph& graph)
    {
        for (size_t i = 0; i < node->inputs().size(); ++i) {
            if (!isHalfConstant(node->input(i)) || !isDtypeArgument(node, i))
                continue;
            // Constants are pooled: the same `5` may also be a size or a
            // shift elsewhere, so this use gets a Float constant of its own.
            torch::jit::WithInsertPoint guard(node);
            Value* f = graph.insertConstant(static_cast<int64_t>(c10::ScalarType::Float));
            node->replaceInput(i, f);
        }
    }

    c10::Device device_;
};

}  // namespace

void patchGraphsForDevice(torch::jit::Module& module, const std::string& device)
{
    Patcher patcher{c10::Device(device)};
    for (torch::jit::Function* fn : module._ivalue()->compilation_unit()->get_functions()) {
        torch::jit::GraphFunction* graphFn = torch::jit::tryToGraphFunction(*fn);
        if (!graphFn)
            continue;
        const std::shared_ptr<Graph> graph = graphFn->graph();
        patcher.patchBlock(graph->block(), *graph);
    }
}

}  // namespace xbt

// Differentiating graphs: a graph's nodes replayed through execute() (so tapes see
// them), and the vector-Jacobian product of a whole graph built from that replay. If,
// While and function calls get their gradients from here.
#pragma once

#include <vector>

#include "loom/graph/graph.h"

namespace loom {
class GraphBuilder;
}

namespace loom {

// Runs every node of `g` through execute() with `inputs` fed to its placeholders: into
// the graph being traced, or eagerly. Returns g's outputs; `values`, when given,
// receives every node's outputs.
std::vector<Tensor> inline_graph(const Graph& g, std::span<const Tensor> inputs,
                                 std::vector<std::vector<Tensor>>* values = nullptr);

// While a graph's replay is being differentiated, a symbolic tensor of the graph it was
// traced as (a custom gradient function closes over one) stands for the replayed value
// of the node of the same name. Returns `t` itself when no replay knows it.
Tensor resolve_replayed(const Tensor& t);
bool replay_active();

struct GraphVjp {
  std::vector<Tensor> outputs;  // g's outputs on xs
  std::vector<Tensor> grads;    // one per input; undefined where none flows
};
// g applied to `xs` and the gradients of its inputs weighted by `dys` (one per output,
// undefined for none), built with ops in the current context. Only inputs marked in
// `wanted` get gradients.
GraphVjp inline_graph_vjp(const Graph& g, std::span<const Tensor> xs, std::span<const Tensor> dys,
                          const std::vector<bool>& wanted);

// tf.gradients: d(sum of ys)/d(x) for each x, read off the graph being built (no tape):
// gradient ops are appended to the same graph. ys and xs are values of that graph (or
// eager tensors it captured, such as variable handles); `grad_ys` (empty or one per y,
// undefined meaning ones) weight the ys; `stop` values pass no gradient.
std::vector<Tensor> symbolic_gradients(GraphBuilder& builder, std::span<const Tensor> ys,
                                       std::span<const Tensor> xs, std::span<const Tensor> grad_ys,
                                       std::span<const Tensor> stop, bool zero_unconnected);

// Whether a graph input of this type can receive a gradient (floats, and variable
// handles, whose gradient is that of the value read).
bool can_receive_gradient(DType dtype);

// Replaces the capture placeholders of a finished gradient graph by constants of the
// captured values, so the graph's inputs are exactly its arguments.
void inline_captures(Graph& g, std::span<const Tensor> captures);

}  // namespace loom

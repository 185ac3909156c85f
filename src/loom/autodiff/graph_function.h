// GraphFunction: a traced graph ready to call. A call under a recording tape runs a
// forward version of the graph that also returns the values its gradient needs, and
// records itself as one operation whose gradient runs the matching backward graph
// (itself a GraphFunction, so gradients of gradients work). Both graphs are derived
// once, on the first differentiated call, by splitting one graph holding the forward
// replay and its gradient ops at the values the gradient reads.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "loom/runtime/plan.h"

namespace loom {

class GraphFunction : public RefCounted {
 public:
  explicit GraphFunction(Ref<Graph> graph);

  // Inputs are the graph's arguments followed by its captures.
  std::vector<Tensor> call(std::span<const Tensor> inputs) const;
  const Plan& plan() const { return *plan_; }
  const Graph& graph() const { return plan_->graph(); }

 private:
  struct Split {
    Ref<GraphFunction> forward;     // the graph's outputs, then the saved values
    Ref<GraphFunction> backward;    // saved values, then output gradients -> input gradients
    std::vector<int> grad_outputs;  // outputs whose gradients the backward takes
    std::vector<int> grad_inputs;   // inputs the backward returns gradients for
    int num_outputs = 0;
  };
  const Split& split() const;
  std::vector<Tensor> call_recorded(std::span<const Tensor> inputs) const;

  std::unique_ptr<Plan> plan_;
  mutable std::once_flag split_once_;
  mutable std::unique_ptr<Split> split_;
};

}  // namespace loom

// Gradients of If and While, and the loop history a While keeps for its gradient.
#pragma once

#include <vector>

#include "loom/ops/registry.h"
#include "loom/ops/state.h"

namespace loom {

// The loop variables entering each iteration of one While run, oldest first. Tensors
// are shared, not copied; memory grows with the iteration count.
class LoopHistory : public Resource {
 public:
  std::vector<std::vector<Tensor>> steps;
};

// LoopHistorySize(history) and LoopHistoryRead(history, step; index, dtype, shape).
void register_loop_history_ops(OpRegistry& r);

// If: an If over the two branches' gradient graphs (each replays its branch forward,
// then differentiates it).
std::vector<Tensor> if_gradient(GradContext& ctx);
// While: asks the forward loop (a node of the graph being built) for its history, then
// runs a loop backwards over it whose body replays one forward iteration and
// differentiates it.
std::vector<Tensor> while_gradient(GradContext& ctx);

}  // namespace loom

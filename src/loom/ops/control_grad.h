// Gradients of If and While, and the loop history a While keeps for its gradient.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "loom/ops/registry.h"
#include "loom/ops/state.h"
#include "loom/runtime/plan.h"

namespace loom {

// The loop variables entering each iteration of one While run. Tensors are shared, not
// copied. With a stride k > 1 only every k-th iteration's variables are kept and a
// read recomputes (and caches) the segment it falls in by running the body again:
// memory ~ n/k + k sets of variables instead of n, for about one more forward pass.
class LoopHistory : public Resource {
 public:
  LoopHistory(int64_t stride, std::shared_ptr<const Plan> body, std::vector<Tensor> captures)
      : stride_(stride < 1 ? 1 : stride), body_(std::move(body)), captures_(std::move(captures)) {}

  // Called by the loop before each iteration runs.
  void record(int64_t iteration, std::span<const Tensor> vars);
  int64_t num_iterations() const { return iterations_; }
  // The variables that entered iteration `step`.
  std::vector<Tensor> at(int64_t step, const char* op);
  int64_t stored() const { return static_cast<int64_t>(checkpoints_.size()); }

 private:
  int64_t stride_;
  std::shared_ptr<const Plan> body_;
  std::vector<Tensor> captures_;
  int64_t iterations_ = 0;
  std::vector<std::vector<Tensor>> checkpoints_;
  std::mutex mu_;
  int64_t segment_ = -1;  // the segment whose iterations `segment_vars_` holds
  std::vector<std::vector<Tensor>> segment_vars_;
};

// How many iterations one kept set of loop variables covers in the histories of loops
// differentiated from now on (1: keep every iteration). Process-wide.
void set_loop_history_stride(int64_t stride);
int64_t loop_history_stride();

// LoopHistorySize(history) and LoopHistoryRead(history, step; index, dtype, shape).
void register_loop_history_ops(OpRegistry& r);

// If: an If over the two branches' gradient graphs. They read values the forward
// branches saved when the forward If can still be rewritten to return them (it is a
// node of the graph being built); otherwise each replays its branch, then
// differentiates it.
std::vector<Tensor> if_gradient(GradContext& ctx);
// While: asks the forward loop (a node of the graph being built) for its history, then
// runs a loop backwards over it whose body replays one forward iteration and
// differentiates it.
std::vector<Tensor> while_gradient(GradContext& ctx);

}  // namespace loom

// Plan: a graph compiled for repeated execution. Kernels run in topological order,
// each output lands in a pre-assigned slot, and a slot is released right after its
// last reader, so buffers return to the allocator as early as possible.
#pragma once

#include <span>
#include <vector>

#include "loom/graph/graph.h"

namespace loom {

class Plan {
 public:
  explicit Plan(Ref<Graph> graph);

  // Runs the graph on its inputs (arguments, then captures) and returns its outputs.
  // Safe to call from several threads at once.
  std::vector<Tensor> run(std::span<const Tensor> inputs) const;
  // The same, taking the inputs over: an input nobody else holds can then be updated in
  // place by its last reader (a loop's buffer written one slice per iteration).
  std::vector<Tensor> run(std::vector<Tensor>&& inputs) const;

  const Graph& graph() const { return *graph_; }
  int num_steps() const { return static_cast<int>(steps_.size()); }
  // Whether runs use the thread pool (the graph has independent heavy steps).
  bool parallel() const { return parallel_; }

 private:
  struct Step {
    const Node* node;
    int32_t in_begin, in_count;  // range of in_slots_ / last_use_
    int32_t out_slot;            // first of the node's consecutive output slots
    bool rerun_infer;            // shapes not static, or inference reads values
    uint64_t reusable;           // inputs an elementwise kernel may overwrite
  };
  void check_input(int i, const Tensor& t) const;
  void bind_inputs(std::span<const Tensor> inputs, std::vector<Tensor>& slots) const;
  void bind_inputs(std::vector<Tensor>&& inputs, std::vector<Tensor>& slots) const;
  std::vector<Tensor> collect_outputs(const std::vector<Tensor>& slots) const;
  // Runs one step; `sequential` allows moving last-use values and reusing their buffers.
  void run_step(const Step& s, std::vector<Tensor>& slots, bool sequential) const;
  // Independent steps on the thread pool (parallel.cc).
  std::vector<Tensor> run_parallel(std::span<const Tensor> inputs) const;
  void plan_parallelism(const std::vector<int32_t>& step_of_node);

  Ref<Graph> graph_;
  std::vector<Step> steps_;
  std::vector<int32_t> in_slots_;
  std::vector<uint8_t> last_use_;  // per step input: the slot is read for the last time
  std::vector<int32_t> input_slots_;
  std::vector<std::pair<int32_t, Tensor>> constants_;
  std::vector<int32_t> output_slots_;
  int32_t num_slots_ = 0;

  // For parallel runs: successors and predecessor counts of each step, and how many
  // step inputs read each slot (a slot is released after its last reader finishes).
  bool parallel_ = false;
  std::vector<std::vector<int32_t>> successors_;
  std::vector<int32_t> num_predecessors_;
  std::vector<int32_t> readers_;
  std::vector<bool> pinned_;
};

// True on the thread pool's worker threads (nested plans there run sequentially).
bool in_pool_worker();

}  // namespace loom

#include "loom/runtime/plan.h"

#include <array>
#include <deque>

#include "loom/core/small_array.h"
#include "loom/eager/execute.h"
#include "loom/runtime/thread_pool.h"

namespace loom {

namespace {

bool fully_static(const Node& n) {
  for (const TensorType& t : n.outputs)
    if (!t.shape.is_fully_defined()) return false;
  return true;
}

// Per-thread value slots, one vector per nesting depth (a kernel may run a plan), so
// steady-state calls allocate no bookkeeping.
class SlotArena {
 public:
  std::vector<Tensor>& acquire(int32_t n) {
    if (depth_ == static_cast<int>(pool_.size())) pool_.emplace_back();
    auto& v = pool_[depth_++];
    v.resize(n);
    return v;
  }
  void release(std::vector<Tensor>& v) {
    for (Tensor& t : v) t = Tensor();
    --depth_;
  }

 private:
  std::deque<std::vector<Tensor>> pool_;  // deque: nested runs must not move outer slots
  int depth_ = 0;
};
thread_local SlotArena arena;

struct ArenaLease {
  std::vector<Tensor>& slots;
  ~ArenaLease() { arena.release(slots); }
};

}  // namespace

Plan::Plan(Ref<Graph> graph) : graph_(std::move(graph)) {
  const Graph& g = *graph_;
  const int n = g.num_nodes();
  std::vector<int32_t> first_slot(n);
  for (int i = 0; i < n; ++i) {
    first_slot[i] = num_slots_;
    num_slots_ += static_cast<int32_t>(g.node(i).outputs.size());
  }
  auto slot = [&](ValueRef v) { return first_slot[v.node] + v.index; };

  // Slots the graph hands back or that the caller/constants own are never moved out.
  std::vector<int32_t> step_of_node(n, -1);
  std::vector<bool> pinned(num_slots_, false);
  for (const ValueRef& o : g.outputs()) pinned[slot(o)] = true;

  for (int i = 0; i < n; ++i) {
    const Node& node = g.node(i);
    const std::string& op = node.op->name();
    if (op == "Placeholder") continue;
    if (op == "Const") {
      constants_.emplace_back(first_slot[i], std::get<Tensor>(*node.attrs.find("value")));
      continue;
    }
    if (!node.op->kernel_fn())
      raise(ErrorCode::kUnimplemented, "[", node.op->name(), "] node '", node.name,
            "' has no CPU kernel, so graph '", g.name(), "' cannot run");
    step_of_node[i] = static_cast<int32_t>(steps_.size());
    Step s{};
    s.node = &node;
    s.in_begin = static_cast<int32_t>(in_slots_.size());
    for (const ValueRef& v : node.inputs) in_slots_.push_back(slot(v));
    s.in_count = static_cast<int32_t>(node.inputs.size());
    s.out_slot = first_slot[i];
    s.rerun_infer = node.value_dependent || !fully_static(node);
    steps_.push_back(s);
  }
  // Walking backwards, the first read of a slot seen is its last use: the step moves
  // the value out of the slot (releasing it) instead of copying it.
  last_use_.assign(in_slots_.size(), 0);
  std::vector<bool> seen(num_slots_, false);
  for (size_t st = steps_.size(); st-- > 0;) {
    Step& s = steps_[st];
    for (int32_t k = s.in_count; k-- > 0;) {
      int32_t sl = in_slots_[s.in_begin + k];
      if (seen[sl] || pinned[sl]) continue;
      seen[sl] = true;
      last_use_[s.in_begin + k] = 1;
      if (s.node->op->has_trait(kElementwise) && k < 64) s.reusable |= uint64_t{1} << k;
      if (k == 0 && s.node->op->has_trait(kInPlaceInput0)) s.reusable |= 1;
    }
  }
  for (int32_t p : g.inputs()) input_slots_.push_back(first_slot[p]);
  for (const ValueRef& o : g.outputs()) output_slots_.push_back(slot(o));
  pinned_ = std::move(pinned);
  plan_parallelism(step_of_node);
}

void Plan::check_input(int i, const Tensor& t) const {
  const Node& ph = graph_->node(graph_->inputs()[i]);
  const TensorType& want = ph.outputs[0];
  if (!t.defined() || t.is_symbolic())
    raise(ErrorCode::kInvalidArgument, "[", graph_->name(), "] input '", ph.name,
          "' must be a tensor with a value");
  if (t.dtype() != want.dtype || !t.shape().compatible_with(want.shape))
    raise(ErrorCode::kInvalidArgument, "[", graph_->name(), "] input '", ph.name, "' expects ",
          dtype_name(want.dtype), want.shape.to_string(), ", got ", t.debug_string());
}

void Plan::run_step(const Step& s, std::vector<Tensor>& slots, bool sequential) const {
  const Node& node = *s.node;
  SmallArray<Tensor, 8> in(s.in_count);
  for (int32_t k = 0; k < s.in_count; ++k) {
    Tensor& src = slots[in_slots_[s.in_begin + k]];
    // Run in order, a value's last reader may take it; in parallel, readers share it.
    if (sequential && last_use_[s.in_begin + k])
      in[k] = std::move(src);
    else
      in[k] = src;
  }
  std::span<const Tensor> ins(in.data(), s.in_count);
  const std::vector<TensorType>* types = &node.outputs;
  std::vector<TensorType> dynamic_types;
  if (s.rerun_infer) {
    SmallArray<InputInfo, 8> info(s.in_count);
    for (int32_t k = 0; k < s.in_count; ++k) info[k] = {in[k].dtype(), &in[k].shape(), &in[k]};
    dynamic_types =
        check_and_infer(*node.op, {info.data(), static_cast<size_t>(s.in_count)}, node.attrs);
    types = &dynamic_types;
  }
  std::span<Tensor> outs(slots.data() + s.out_slot, types->size());
  KernelContext ctx(*node.op, ins, node.attrs, *types, outs);
  if (sequential) ctx.set_reusable_inputs(s.reusable);
  node.op->kernel_fn()(ctx);
  for (int i = 0; i < ctx.num_outputs(); ++i) ctx.output(i);
}

void Plan::bind_inputs(std::span<const Tensor> inputs, std::vector<Tensor>& slots) const {
  if (inputs.size() != input_slots_.size())
    raise(ErrorCode::kInvalidArgument, "[", graph_->name(), "] expected ", input_slots_.size(),
          " inputs, got ", inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    check_input(static_cast<int>(i), inputs[i]);
    slots[input_slots_[i]] = inputs[i];
  }
  for (const auto& [sl, value] : constants_) slots[sl] = value;
}

void Plan::bind_inputs(std::vector<Tensor>&& inputs, std::vector<Tensor>& slots) const {
  if (inputs.size() != input_slots_.size())
    raise(ErrorCode::kInvalidArgument, "[", graph_->name(), "] expected ", input_slots_.size(),
          " inputs, got ", inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    check_input(static_cast<int>(i), inputs[i]);
    slots[input_slots_[i]] = std::move(inputs[i]);
  }
  for (const auto& [sl, value] : constants_) slots[sl] = value;
}

std::vector<Tensor> Plan::collect_outputs(const std::vector<Tensor>& slots) const {
  std::vector<Tensor> out;
  out.reserve(output_slots_.size());
  for (int32_t sl : output_slots_) out.push_back(slots[sl]);
  return out;
}

std::vector<Tensor> Plan::run(std::span<const Tensor> inputs) const {
  if (parallel_ && !in_pool_worker() && ThreadPool::global().num_threads() > 0)
    return run_parallel(inputs);
  ArenaLease lease{arena.acquire(num_slots_)};
  bind_inputs(inputs, lease.slots);
  for (const Step& s : steps_) run_step(s, lease.slots, /*sequential=*/true);
  return collect_outputs(lease.slots);
}

std::vector<Tensor> Plan::run(std::vector<Tensor>&& inputs) const {
  if (parallel_ && !in_pool_worker() && ThreadPool::global().num_threads() > 0)
    return run_parallel(inputs);
  ArenaLease lease{arena.acquire(num_slots_)};
  bind_inputs(std::move(inputs), lease.slots);
  for (const Step& s : steps_) run_step(s, lease.slots, /*sequential=*/true);
  return collect_outputs(lease.slots);
}

}  // namespace loom

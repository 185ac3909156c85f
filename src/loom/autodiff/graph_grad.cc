#include "loom/autodiff/graph_grad.h"

#include <unordered_map>
#include <unordered_set>

#include "loom/autodiff/grad_util.h"
#include "loom/eager/tape.h"
#include "loom/graph/builder.h"

namespace loom {

namespace {
struct ReplayFrame {
  const Graph* graph;
  const std::vector<std::vector<Tensor>>* values;
};
thread_local std::vector<ReplayFrame> tls_replays;
}  // namespace

bool replay_active() {
  return !tls_replays.empty();
}

Tensor resolve_replayed(const Tensor& t) {
  if (!t.defined() || !t.is_symbolic()) return t;
  const auto* traced = dynamic_cast<const Graph*>(t.graph());
  if (!traced) return t;
  for (size_t f = tls_replays.size(); f-- > 0;) {
    const ReplayFrame& frame = tls_replays[f];
    if (frame.graph == traced || frame.graph->name() != traced->name()) continue;
    const int id = frame.graph->find_node(traced->node(t.node()).name);
    if (id < 0) continue;
    const auto& outs = (*frame.values)[id];
    if (t.output_index() < static_cast<int>(outs.size())) return outs[t.output_index()];
  }
  return t;
}

std::vector<Tensor> inline_graph(const Graph& g, std::span<const Tensor> inputs,
                                 std::vector<std::vector<Tensor>>* all_values) {
  if (inputs.size() != g.inputs().size())
    raise(ErrorCode::kInternal, "[inline] graph '", g.name(), "' takes ", g.inputs().size(),
          " inputs, got ", inputs.size());
  std::vector<std::vector<Tensor>> local;
  std::vector<std::vector<Tensor>>& values = all_values ? *all_values : local;
  values.assign(g.num_nodes(), {});
  for (size_t i = 0; i < inputs.size(); ++i) values[g.inputs()[i]] = {inputs[i]};
  std::vector<Tensor> in;
  for (int id = 0; id < g.num_nodes(); ++id) {
    const Node& n = g.node(id);
    if (!values[id].empty()) continue;  // an input
    in.clear();
    for (const ValueRef& v : n.inputs) in.push_back(values[v.node][v.index]);
    values[id] = execute(*n.op, in, n.attrs);
  }
  std::vector<Tensor> out;
  for (const ValueRef& v : g.outputs()) out.push_back(values[v.node][v.index]);
  return out;
}

bool can_receive_gradient(DType dtype) {
  return dtype == DType::kResource || is_differentiable(dtype);
}

GraphVjp inline_graph_vjp(const Graph& g, std::span<const Tensor> xs, std::span<const Tensor> dys,
                          const std::vector<bool>& wanted) {
  auto tape = Ref<Tape>::adopt(new Tape(/*persistent=*/false, /*watch_accessed_variables=*/false));
  for (size_t i = 0; i < xs.size(); ++i)
    if (wanted[i]) tape->watch(xs[i]);
  GraphVjp r;
  std::vector<std::vector<Tensor>> values;
  push_tape(tape);
  try {
    r.outputs = inline_graph(g, xs, &values);
  } catch (...) {
    pop_tape(tape.get());
    throw;
  }
  pop_tape(tape.get());
  tls_replays.push_back({&g, &values});
  struct PopReplay {
    ~PopReplay() { tls_replays.pop_back(); }
  } pop_replay;
  std::vector<Tensor> targets, weights;
  for (size_t j = 0; j < r.outputs.size(); ++j) {
    if (!dys[j].defined()) continue;
    targets.push_back(r.outputs[j]);
    weights.push_back(dys[j]);
  }
  std::vector<Tensor> sources;
  for (size_t i = 0; i < xs.size(); ++i) sources.push_back(wanted[i] ? xs[i] : Tensor());
  r.grads = tape->gradient(targets, sources, weights, /*zero_unconnected=*/false);
  return r;
}

void inline_captures(Graph& g, std::span<const Tensor> captures) {
  static const OpDef& const_op = OpRegistry::global().get("Const");
  auto& in = g.inputs();
  const size_t n_args = in.size() - captures.size();
  for (size_t c = 0; c < captures.size(); ++c) {
    Node& n = g.mutable_node(in[n_args + c]);
    n.op = &const_op;
    n.attrs = Attrs();
    n.attrs.set("value", captures[c]);
    n.attrs.set("dtype", captures[c].dtype());
    n.outputs[0] = {captures[c].dtype(), captures[c].shape()};
  }
  in.resize(n_args);
}

std::vector<Tensor> symbolic_gradients(GraphBuilder& builder, std::span<const Tensor> ys,
                                       std::span<const Tensor> xs, std::span<const Tensor> grad_ys,
                                       std::span<const Tensor> stop, bool zero_unconnected) {
  Graph& g = builder.graph();
  const int n_nodes = g.num_nodes();  // gradient nodes appended below are not walked
  auto key = [](ValueRef v) { return (int64_t{v.node} << 20) | v.index; };
  auto ref_of = [&](const Tensor& t) { return builder.value_of(t, "gradients"); };
  std::unordered_set<int64_t> reached, stopped;
  for (const Tensor& s : stop) stopped.insert(key(ref_of(s)));
  for (const Tensor& x : xs) reached.insert(key(ref_of(x)));
  // Forward: the nodes on a path from an x.
  std::vector<uint64_t> needed(n_nodes, 0);
  for (int id = 0; id < n_nodes; ++id) {
    const Node& n = g.node(id);
    if (n.op->has_trait(kNotDifferentiable)) continue;
    for (size_t i = 0; i < n.inputs.size(); ++i)
      if (reached.count(key(n.inputs[i])) && !stopped.count(key(n.inputs[i])))
        needed[id] |= i < 64 ? uint64_t{1} << i : ~uint64_t{0};
    if (!needed[id]) continue;
    for (size_t o = 0; o < n.outputs.size(); ++o)
      if (is_differentiable(n.outputs[o].dtype)) reached.insert(key({id, static_cast<int32_t>(o)}));
  }
  std::unordered_map<int64_t, std::vector<Tensor>> pending;
  for (size_t k = 0; k < ys.size(); ++k) {
    if (!is_differentiable(ys[k].dtype())) continue;
    const bool weighted = !grad_ys.empty() && grad_ys[k].defined();
    pending[key(ref_of(ys[k]))].push_back(weighted ? grad_ys[k] : ones_like(ys[k]));
  }
  auto take = [&](int64_t k) -> Tensor {
    auto it = pending.find(k);
    if (it == pending.end()) return Tensor();
    Tensor sum = add_gradients(it->second);
    it->second.assign(1, sum);
    return sum;
  };
  std::unordered_set<int64_t> sources;
  for (const Tensor& x : xs) sources.insert(key(ref_of(x)));
  for (int id = n_nodes; id-- > 0;) {
    if (!needed[id]) continue;
    const Node n = g.node(id);  // a copy: gradient ops append nodes to g
    std::vector<Tensor> outs, out_grads;
    bool any = false;
    for (size_t o = 0; o < n.outputs.size(); ++o) {
      const int64_t k = key({id, static_cast<int32_t>(o)});
      outs.push_back(builder.output_tensor(id, static_cast<int>(o)));
      out_grads.push_back(stopped.count(k) ? Tensor() : take(k));
      if (!sources.count(k)) pending.erase(k);
      any = any || out_grads.back().defined();
    }
    if (!any) continue;
    std::vector<Tensor> ins;
    for (const ValueRef& v : n.inputs) ins.push_back(builder.output_tensor(v.node, v.index));
    std::vector<Tensor> in_grads =
        op_input_gradients(*n.op, n.attrs, ins, outs, out_grads, needed[id]);
    for (size_t i = 0; i < n.inputs.size(); ++i)
      if (in_grads[i].defined() && reached.count(key(n.inputs[i])))
        pending[key(n.inputs[i])].push_back(std::move(in_grads[i]));
  }
  std::vector<Tensor> result;
  for (const Tensor& x : xs) {
    Tensor grad = take(key(ref_of(x)));
    if (!grad.defined() && zero_unconnected && is_differentiable(x.dtype())) grad = zeros_like(x);
    result.push_back(std::move(grad));
  }
  return result;
}

}  // namespace loom

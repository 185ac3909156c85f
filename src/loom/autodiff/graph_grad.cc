#include "loom/autodiff/graph_grad.h"

#include "loom/autodiff/grad_util.h"
#include "loom/eager/tape.h"

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

}  // namespace loom

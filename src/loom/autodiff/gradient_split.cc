#include "loom/autodiff/gradient_split.h"

#include <unordered_map>

#include "loom/autodiff/grad_util.h"
#include "loom/autodiff/graph_grad.h"
#include "loom/graph/builder.h"
#include "loom/passes/passes.h"

namespace loom {

namespace {

// One graph holding the forward replay of `g` and its gradient: inputs are g's inputs
// then one gradient per differentiable output; outputs are g's outputs then one
// gradient per input in `grad_inputs`.
Ref<Graph> joint_graph(const Graph& g, std::vector<int>& grad_outputs,
                       std::vector<int>& grad_inputs, std::vector<int32_t>& dy_nodes) {
  auto joint = Ref<Graph>::adopt(new Graph(g.name() + "_joint"));
  GraphBuilder b(joint);
  std::vector<Tensor> xs, dys;
  std::vector<bool> wanted;
  {
    TraceScope scope(b);
    for (int32_t id : g.inputs()) {
      const Node& p = g.node(id);
      xs.push_back(b.placeholder(p.outputs[0].dtype, p.outputs[0].shape, p.name));
      wanted.push_back(can_receive_gradient(p.outputs[0].dtype));
    }
    for (size_t j = 0; j < g.outputs().size(); ++j) {
      const TensorType& t = g.type_of(g.outputs()[j]);
      if (!is_differentiable(t.dtype)) {
        dys.emplace_back();
        continue;
      }
      dys.push_back(b.placeholder(t.dtype, t.shape, "output_grad"));
      grad_outputs.push_back(static_cast<int>(j));
      dy_nodes.push_back(dys.back().node());
    }
    GraphVjp vjp = inline_graph_vjp(g, xs, dys, wanted);
    std::vector<Tensor> outs = vjp.outputs;
    for (size_t i = 0; i < vjp.grads.size(); ++i) {
      if (!vjp.grads[i].defined()) continue;
      grad_inputs.push_back(static_cast<int>(i));
      outs.push_back(vjp.grads[i]);
    }
    b.finish(outs);
  }
  inline_captures(*joint, b.captures());
  return joint;
}

// Copies nodes of `from` into `to`, remapping their inputs through `map`.
struct GraphCopier {
  const Graph& from;
  Graph& to;
  std::unordered_map<int32_t, int32_t> map;  // node in `from` -> node in `to`

  int32_t copy(int32_t id, bool keep_control) {
    Node n = from.node(id);
    for (ValueRef& v : n.inputs) v.node = map.at(v.node);
    std::vector<int32_t> control;
    if (keep_control)
      for (int32_t c : n.control_inputs)
        if (map.count(c)) control.push_back(map.at(c));
    n.control_inputs = std::move(control);
    std::string name = n.name;
    int32_t out = to.add_node(std::move(n), name);
    map[id] = out;
    return out;
  }
  ValueRef ref(ValueRef v) const { return {map.at(v.node), v.index}; }
};

Ref<Graph> finish_graph(Ref<Graph> g) {
  g->verify();
  return optimize_graph(*g);
}

}  // namespace

GradientSplit split_gradient(const Graph& g) {
  GradientSplit s;
  s.num_outputs = static_cast<int>(g.outputs().size());
  std::vector<int32_t> dy_nodes;
  Ref<Graph> joint = joint_graph(g, s.grad_outputs, s.grad_inputs, dy_nodes);

  // A node belongs to the backward part when it depends on an output gradient.
  const int n = joint->num_nodes();
  std::vector<bool> backward(n, false);
  for (int32_t id : dy_nodes) backward[id] = true;
  for (int id = 0; id < n; ++id) {
    const Node& node = joint->node(id);
    for (const ValueRef& v : node.inputs) backward[id] = backward[id] || backward[v.node];
    for (int32_t c : node.control_inputs) backward[id] = backward[id] || backward[c];
  }
  auto is_const = [&](int32_t id) { return joint->node(id).op->name() == "Const"; };
  const size_t n_fwd_out = static_cast<size_t>(s.num_outputs);
  const auto& outs = joint->outputs();

  // Forward values the backward part reads (constants are copied instead).
  std::vector<ValueRef> saved;
  auto save = [&](ValueRef v) {
    if (backward[v.node] || is_const(v.node)) return;
    for (const ValueRef& s2 : saved)
      if (s2 == v) return;
    saved.push_back(v);
  };
  for (int id = 0; id < n; ++id)
    if (backward[id])
      for (const ValueRef& v : joint->node(id).inputs) save(v);
  for (size_t k = n_fwd_out; k < outs.size(); ++k) save(outs[k]);

  auto fwd = Ref<Graph>::adopt(new Graph(g.name() + "_forward"));
  GraphCopier f{*joint, *fwd, {}};
  for (int id = 0; id < n; ++id)
    if (!backward[id]) f.copy(id, true);
  for (int32_t id : joint->inputs())
    if (!backward[id]) fwd->inputs().push_back(f.map.at(id));
  for (size_t k = 0; k < n_fwd_out; ++k) fwd->outputs().push_back(f.ref(outs[k]));
  for (const ValueRef& v : saved) fwd->outputs().push_back(f.ref(v));
  for (int32_t id : joint->control_outputs())
    if (!backward[id]) fwd->control_outputs().push_back(f.map.at(id));

  auto bwd = Ref<Graph>::adopt(new Graph(g.name() + "_backward"));
  GraphCopier b{*joint, *bwd, {}};
  static const OpDef& placeholder = OpRegistry::global().get("Placeholder");
  // Saved values enter as placeholders; keyed by a fake node id past the joint graph.
  std::unordered_map<int64_t, int32_t> saved_node;
  for (const ValueRef& v : saved) {
    Node p;
    p.op = &placeholder;
    const TensorType& t = joint->type_of(v);
    p.attrs.set("dtype", t.dtype);
    p.attrs.set("shape", t.shape);
    p.outputs.push_back(t);
    int32_t id = bwd->add_node(std::move(p), "saved");
    bwd->inputs().push_back(id);
    saved_node[int64_t{v.node} * 65536 + v.index] = id;
  }
  auto bref = [&](ValueRef v) -> ValueRef {
    if (backward[v.node]) return b.ref(v);
    if (is_const(v.node)) {
      if (!b.map.count(v.node)) b.copy(v.node, false);
      return b.ref(v);
    }
    return {saved_node.at(int64_t{v.node} * 65536 + v.index), 0};
  };
  for (int id = 0; id < n; ++id) {
    if (!backward[id]) continue;
    Node node = joint->node(id);
    for (ValueRef& v : node.inputs) v = bref(v);
    std::vector<int32_t> control;
    for (int32_t c : node.control_inputs)
      if (backward[c]) control.push_back(b.map.at(c));
    node.control_inputs = std::move(control);
    std::string name = node.name;
    b.map[id] = bwd->add_node(std::move(node), name);
  }
  for (int32_t id : dy_nodes) bwd->inputs().push_back(b.map.at(id));
  for (size_t k = n_fwd_out; k < outs.size(); ++k) bwd->outputs().push_back(bref(outs[k]));
  for (int32_t id : joint->control_outputs())
    if (backward[id]) bwd->control_outputs().push_back(b.map.at(id));

  for (const ValueRef& v : saved) s.saved.push_back(joint->type_of(v));
  s.forward = finish_graph(fwd);
  s.backward = finish_graph(bwd);
  return s;
}

}  // namespace loom

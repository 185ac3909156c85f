#include "loom/graph/builder.h"

#include <array>

namespace loom {

GraphBuilder* current_builder() {
  return dynamic_cast<GraphBuilder*>(current_handler());
}

GraphBuilder::GraphBuilder(Ref<Graph> graph, GraphBuilder* parent)
    : graph_(std::move(graph)), parent_(parent) {}

int GraphBuilder::add(Node node, std::string_view name) {
  if (source_) node.source = source_();
  return graph_->add_node(std::move(node), name);
}

Tensor GraphBuilder::output_tensor(int node, int index) {
  const TensorType& t = graph_->node(node).outputs[index];
  return Tensor::symbolic(t.dtype, t.shape, Ref<GraphBase>(graph_), node, index);
}

Tensor GraphBuilder::add_output(int node, TensorType type) {
  auto& outs = graph_->mutable_node(node).outputs;
  outs.push_back(std::move(type));
  return output_tensor(node, static_cast<int>(outs.size()) - 1);
}

Tensor GraphBuilder::placeholder(DType dtype, Shape shape, std::string_view name) {
  static const OpDef& op = OpRegistry::global().get("Placeholder");
  Node n;
  n.op = &op;
  n.attrs.set("dtype", dtype);
  n.attrs.set("shape", shape);
  n.outputs.push_back({dtype, std::move(shape)});
  int id = add(std::move(n), name.empty() ? "Placeholder" : name);
  arg_placeholders_.push_back(id);
  return output_tensor(id, 0);
}

Tensor GraphBuilder::constant(const Tensor& value) {
  static const OpDef& op = OpRegistry::global().get("Const");
  Node n;
  n.op = &op;
  n.attrs.set("value", value);
  n.attrs.set("dtype", value.dtype());
  n.outputs.push_back({value.dtype(), value.shape()});
  std::string name = take_next_node_name();
  return output_tensor(add(std::move(n), name.empty() ? "Const" : name), 0);
}

ValueRef GraphBuilder::value_of(const Tensor& t, const char* op) {
  if (owns(t)) return {t.node(), t.output_index()};
  bool from_parent = false;
  for (GraphBuilder* p = parent_; p && !from_parent; p = p->parent_) from_parent = p->owns(t);
  if (t.is_symbolic() && !from_parent)
    raise(ErrorCode::kOutOfScope, "[", op, "] a symbolic tensor of another function's graph is ",
          "out of scope and cannot be used here (it leaked from the function that made it; "
          "return it from that function instead)");
  auto it = capture_index_.find(t.impl());
  if (it != capture_index_.end()) return {it->second, 0};
  static const OpDef& ph = OpRegistry::global().get("Placeholder");
  Node n;
  n.op = &ph;
  n.attrs.set("dtype", t.dtype());
  n.attrs.set("shape", t.shape());
  n.outputs.push_back({t.dtype(), t.shape()});
  int id = graph_->add_node(std::move(n), "capture");
  capture_placeholders_.push_back(id);
  captures_.push_back(t);
  capture_index_.emplace(t.impl(), id);
  return {id, 0};
}

std::vector<Tensor> GraphBuilder::run(const OpDef& op, std::span<const Tensor> inputs,
                                      const Attrs& attrs) {
  if (op.name() == "Const") return {constant(std::get<Tensor>(*attrs.find("value")))};
  Node n;
  n.op = &op;
  const size_t k = inputs.size();
  n.inputs.reserve(k);
  std::vector<InputInfo> info(k);
  for (size_t i = 0; i < k; ++i) {
    if (!inputs[i].defined())
      raise(ErrorCode::kInvalidArgument, "[", op.name(), "] input #", i, " is undefined");
    ValueRef v = value_of(inputs[i], op.c_name());
    n.inputs.push_back(v);
    const Node& src = graph_->node(v.node);
    // Constants keep their values visible to inference (static reshape targets, ...).
    const Tensor* value = nullptr;
    if (src.op->name() == "Const") value = &std::get<Tensor>(*src.attrs.find("value"));
    info[i] = {src.outputs[v.index].dtype, &src.outputs[v.index].shape, value};
  }
  n.outputs = check_and_infer(op, info, attrs, &n.value_dependent);
  n.attrs = attrs;
  const bool stateful = op.has_trait(kStateful);
  if (stateful) n.control_inputs = order_after(op, n);
  int id = add(std::move(n), take_next_node_name());
  if (stateful) {
    record_effect(op, graph_->node(id), id);
    graph_->control_outputs().push_back(id);
  }
  std::vector<Tensor> out;
  out.reserve(graph_->node(id).outputs.size());
  for (size_t i = 0; i < graph_->node(id).outputs.size(); ++i)
    out.push_back(output_tensor(id, static_cast<int>(i)));
  return out;
}

std::vector<int32_t> GraphBuilder::order_after(const OpDef& op, const Node& n) {
  std::vector<int32_t> deps;
  if (op.has_trait(kResourceRead) || op.has_trait(kResourceWrite)) {
    const ResourceOrder& r = resources_[n.inputs[0].node];
    if (r.last_write >= 0) deps.push_back(r.last_write);
    // A write also waits for every read since the last write (they must see the old value).
    if (op.has_trait(kResourceWrite))
      deps.insert(deps.end(), r.reads_since.begin(), r.reads_since.end());
  } else {
    if (last_effect_ >= 0) deps.push_back(last_effect_);
    // An op that may touch any variable it is handed (If, While) counts as writing
    // each of them.
    for (const ValueRef& v : n.inputs) {
      if (graph_->type_of(v).dtype != DType::kResource) continue;
      const ResourceOrder& r = resources_[v.node];
      if (r.last_write >= 0) deps.push_back(r.last_write);
      deps.insert(deps.end(), r.reads_since.begin(), r.reads_since.end());
    }
  }
  return deps;
}

void GraphBuilder::record_effect(const OpDef& op, const Node& n, int32_t id) {
  if (op.has_trait(kResourceWrite)) {
    ResourceOrder& r = resources_[n.inputs[0].node];
    r.last_write = id;
    r.reads_since.clear();
  } else if (op.has_trait(kResourceRead)) {
    resources_[n.inputs[0].node].reads_since.push_back(id);
  } else {
    last_effect_ = id;
    for (const ValueRef& v : n.inputs) {
      if (graph_->type_of(v).dtype != DType::kResource) continue;
      ResourceOrder& r = resources_[v.node];
      r.last_write = id;
      r.reads_since.clear();
    }
  }
}

void GraphBuilder::finish(std::span<const Tensor> outputs) {
  auto& outs = graph_->outputs();
  outs.clear();
  for (const Tensor& t : outputs) {
    // Returning an input or a capture directly still goes through the graph.
    outs.push_back(value_of(t, "return"));
  }
  auto& in = graph_->inputs();
  in = arg_placeholders_;
  in.insert(in.end(), capture_placeholders_.begin(), capture_placeholders_.end());
  graph_->verify();
}

}  // namespace loom

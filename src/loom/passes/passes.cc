#include "loom/passes/passes.h"

#include <cstring>
#include <unordered_map>

#include "loom/eager/execute.h"

namespace loom {

namespace {

bool is_pure(const Node& n) {
  const std::string& op = n.op->name();
  return !n.op->has_trait(kStateful) && op != "Placeholder" && n.op->kernel_fn();
}
bool is_const(const Node& n) {
  return n.op->name() == "Const";
}
const Tensor& const_value(const Node& n) {
  return std::get<Tensor>(*n.attrs.find("value"));
}

// Copies `g` keeping the nodes with keep[i], rewriting each input through `forward`
// (old value -> old value it is replaced by). Names, sources and effects are kept.
Ref<Graph> rebuild(const Graph& g, const std::vector<bool>& keep,
                   const std::unordered_map<int64_t, ValueRef>& forward) {
  auto key = [](ValueRef v) { return (int64_t{v.node} << 32) | static_cast<uint32_t>(v.index); };
  auto resolve = [&](ValueRef v) {
    for (auto it = forward.find(key(v)); it != forward.end(); it = forward.find(key(v)))
      v = it->second;
    return v;
  };
  auto out = Ref<Graph>::adopt(new Graph(g.name()));
  std::vector<int32_t> new_id(g.num_nodes(), -1);
  for (int i = 0; i < g.num_nodes(); ++i) {
    if (!keep[i]) continue;
    Node n = g.node(i);
    for (ValueRef& v : n.inputs) {
      v = resolve(v);
      v.node = new_id[v.node];
    }
    std::vector<int32_t> controls;
    for (int32_t c : n.control_inputs)
      if (keep[c]) controls.push_back(new_id[c]);
    n.control_inputs = std::move(controls);
    std::string name = n.name;
    new_id[i] = out->add_node(std::move(n), name);
  }
  for (int32_t p : g.inputs()) out->inputs().push_back(new_id[p]);
  for (ValueRef v : g.outputs()) {
    v = resolve(v);
    out->outputs().push_back({new_id[v.node], v.index});
  }
  for (int32_t c : g.control_outputs())
    if (keep[c]) out->control_outputs().push_back(new_id[c]);
  return out;
}

int64_t value_key(ValueRef v) {
  return (int64_t{v.node} << 32) | static_cast<uint32_t>(v.index);
}

// A key that is equal for nodes computing the same thing.
std::string node_key(const Node& n, const std::unordered_map<int64_t, ValueRef>& forward) {
  std::string k = n.op->name();
  for (ValueRef v : n.inputs) {
    for (auto it = forward.find(value_key(v)); it != forward.end(); it = forward.find(value_key(v)))
      v = it->second;
    k += '|';
    k += std::to_string(v.node);
    k += ':';
    k += std::to_string(v.index);
  }
  for (const auto& [name, value] : n.attrs.items()) {
    k += '|';
    k += name;
    k += '=';
    if (const Tensor* t = std::get_if<Tensor>(&value)) {
      k += t->debug_string();
      k += ':';
      k.append(static_cast<const char*>(t->raw_data()), t->nbytes());
    } else {
      k += attr_to_string(value);
    }
  }
  return k;
}

}  // namespace

PassOptions& global_pass_options() {
  static PassOptions options;
  return options;
}

Ref<Graph> eliminate_common_subexpressions(const Graph& g) {
  std::unordered_map<std::string, int> seen;
  std::unordered_map<int64_t, ValueRef> forward;
  std::vector<bool> keep(g.num_nodes(), true);
  for (int i = 0; i < g.num_nodes(); ++i) {
    const Node& n = g.node(i);
    if (!is_pure(n) && !is_const(n)) continue;
    auto [it, fresh] = seen.emplace(node_key(n, forward), i);
    if (fresh) continue;
    for (int k = 0; k < static_cast<int>(n.outputs.size()); ++k)
      forward[value_key({i, k})] = {it->second, k};
    keep[i] = false;
  }
  return rebuild(g, keep, forward);
}

Ref<Graph> fold_constants(const Graph& g) {
  // Folding appends Const nodes, so build into a copy and forward to those.
  auto out = Ref<Graph>::adopt(new Graph(g.name()));
  static const OpDef& const_op = OpRegistry::global().get("Const");
  std::vector<int32_t> new_id(g.num_nodes());
  std::vector<std::vector<ValueRef>> remap(g.num_nodes());
  constexpr int64_t kMaxFoldedElements = 1 << 16;  // keep graphs small
  for (int i = 0; i < g.num_nodes(); ++i) {
    const Node& n = g.node(i);
    bool foldable = is_pure(n) && !n.inputs.empty();
    std::vector<Tensor> values;
    for (const ValueRef& v : n.inputs) {
      ValueRef m = remap[v.node][v.index];
      const Node& src = out->node(m.node);
      if (!foldable || !is_const(src)) {
        foldable = false;
        break;
      }
      values.push_back(const_value(src));
    }
    std::vector<Tensor> results;
    if (foldable) {
      try {
        results = execute_eager(*n.op, values, n.attrs);
        for (const Tensor& t : results) foldable &= t.num_elements() <= kMaxFoldedElements;
      } catch (const Error&) {
        foldable = false;  // leave the error to run time, where the user expects it
      }
    }
    remap[i].resize(n.outputs.size());
    if (foldable) {
      for (size_t k = 0; k < results.size(); ++k) {
        Node c;
        c.op = &const_op;
        c.attrs.set("value", results[k]);
        c.attrs.set("dtype", results[k].dtype());
        c.outputs.push_back({results[k].dtype(), results[k].shape()});
        c.source = n.source;
        std::string name = results.size() == 1 ? n.name : n.name + "_" + std::to_string(k);
        remap[i][k] = {out->add_node(std::move(c), name), 0};
      }
      new_id[i] = -1;
      continue;
    }
    Node copy = n;
    for (ValueRef& v : copy.inputs) v = remap[v.node][v.index];
    for (int32_t& c : copy.control_inputs) c = new_id[c];
    std::string name = copy.name;
    new_id[i] = out->add_node(std::move(copy), name);
    for (size_t k = 0; k < n.outputs.size(); ++k)
      remap[i][k] = {new_id[i], static_cast<int32_t>(k)};
  }
  for (int32_t p : g.inputs()) out->inputs().push_back(new_id[p]);
  for (ValueRef v : g.outputs()) out->outputs().push_back(remap[v.node][v.index]);
  for (int32_t c : g.control_outputs()) out->control_outputs().push_back(new_id[c]);
  return out;
}

Ref<Graph> prune_unused(const Graph& g) {
  std::vector<bool> live(g.num_nodes(), false);
  std::vector<int32_t> stack;
  auto mark = [&](int32_t i) {
    if (!live[i]) {
      live[i] = true;
      stack.push_back(i);
    }
  };
  for (const ValueRef& v : g.outputs()) mark(v.node);
  for (int32_t c : g.control_outputs()) mark(c);
  for (int32_t p : g.inputs()) mark(p);
  for (int i = 0; i < g.num_nodes(); ++i)
    if (g.node(i).op->has_trait(kStateful)) mark(i);
  while (!stack.empty()) {
    int32_t i = stack.back();
    stack.pop_back();
    for (const ValueRef& v : g.node(i).inputs) mark(v.node);
    for (int32_t c : g.node(i).control_inputs) mark(c);
  }
  return rebuild(g, live, {});
}

Ref<Graph> optimize_graph(const Graph& g, const PassOptions& options) {
  Ref<Graph> cur = rebuild(g, std::vector<bool>(g.num_nodes(), true), {});
  if (options.cse) cur = eliminate_common_subexpressions(*cur);
  if (options.fold) cur = fold_constants(*cur);
  if (options.cse && options.fold) cur = eliminate_common_subexpressions(*cur);
  if (options.prune) cur = prune_unused(*cur);
  cur->verify();
  return cur;
}

}  // namespace loom

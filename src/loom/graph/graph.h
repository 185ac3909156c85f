// The graph IR: typed SSA. Each node applies one registered op to earlier nodes'
// outputs; side-effect order is explicit control edges. Graphs print as text, pass
// a verifier and serialize losslessly.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "loom/ops/op_def.h"

namespace loom {

struct ValueRef {
  int32_t node = -1;
  int32_t index = 0;
  bool operator==(const ValueRef& o) const { return node == o.node && index == o.index; }
};

struct Node {
  const OpDef* op = nullptr;
  std::string name;  // unique in the graph: "add", "add_1", "MatMul"
  std::vector<ValueRef> inputs;
  std::vector<int32_t> control_inputs;  // nodes that must run before this one
  Attrs attrs;
  std::vector<TensorType> outputs;
  std::string source;  // the user's "file:line" that created the node, when known
  // True when shape inference read an input's value: the executor re-runs inference
  // with real values (it validates indices, sizes, ...).
  bool value_dependent = false;
};

class Graph : public GraphBase {
 public:
  explicit Graph(std::string name = "graph") : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  int num_nodes() const { return static_cast<int>(nodes_.size()); }
  const Node& node(int i) const { return nodes_[i]; }
  Node& mutable_node(int i) { return nodes_[i]; }
  const std::vector<Node>& nodes() const { return nodes_; }

  // Appends a node; the name is made unique from `base_name` (the op name if empty).
  int add_node(Node node, std::string_view base_name = {});
  std::string unique_name(std::string_view base);
  int find_node(std::string_view name) const;  // -1 when absent

  // Placeholders in call order (arguments first, then captures).
  std::vector<int32_t>& inputs() { return inputs_; }
  const std::vector<int32_t>& inputs() const { return inputs_; }
  std::vector<ValueRef>& outputs() { return outputs_; }
  const std::vector<ValueRef>& outputs() const { return outputs_; }
  // Stateful nodes that must run on every call even when no output depends on them.
  std::vector<int32_t>& control_outputs() { return control_outputs_; }
  const std::vector<int32_t>& control_outputs() const { return control_outputs_; }

  const TensorType& type_of(ValueRef v) const { return nodes_[v.node].outputs[v.index]; }
  std::string value_name(ValueRef v) const;  // "add:0"

  // Readable text, one node per line: `%add = AddV2(%x:0, %y:0) : float32[2,2]`.
  std::string to_string() const;
  // Checks SSA order, arity, input types against the op's declaration, and names.
  // Raises Internal with the offending node on failure.
  void verify() const;

 private:
  std::string name_;
  std::vector<Node> nodes_;
  std::vector<int32_t> inputs_;
  std::vector<ValueRef> outputs_;
  std::vector<int32_t> control_outputs_;
  std::unordered_map<std::string, int> name_counts_;
  std::unordered_map<std::string, int> by_name_;
};

// Lossless binary form (round-trips names, attrs, types, constants and sources).
std::string serialize_graph(const Graph& g);
Ref<Graph> deserialize_graph(const std::string& bytes);

}  // namespace loom

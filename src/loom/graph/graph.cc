#include "loom/graph/graph.h"

#include <sstream>

#include "loom/ops/registry.h"

namespace loom {

std::string Graph::unique_name(std::string_view base) {
  std::string name(base);
  int& count = name_counts_[name];
  std::string candidate = count == 0 ? name : name + "_" + std::to_string(count);
  // A user-chosen name may already look like "add_1": skip until free.
  while (by_name_.count(candidate)) candidate = name + "_" + std::to_string(++count);
  ++count;
  return candidate;
}

int Graph::add_node(Node node, std::string_view base_name) {
  node.name = unique_name(base_name.empty() ? std::string_view(node.op->name()) : base_name);
  int id = static_cast<int>(nodes_.size());
  by_name_[node.name] = id;
  nodes_.push_back(std::move(node));
  return id;
}

int Graph::find_node(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? -1 : it->second;
}

std::string Graph::value_name(ValueRef v) const {
  return nodes_[v.node].name + ":" + std::to_string(v.index);
}

namespace {
std::string type_string(const TensorType& t) {
  return std::string(dtype_name(t.dtype)) + t.shape.to_string();
}
}  // namespace

std::string Graph::to_string() const {
  std::ostringstream os;
  os << "graph " << name_ << "(";
  for (size_t i = 0; i < inputs_.size(); ++i)
    os << (i ? ", " : "") << "%" << nodes_[inputs_[i]].name << ": "
       << type_string(nodes_[inputs_[i]].outputs[0]);
  os << ") {\n";
  for (const Node& n : nodes_) {
    if (n.op->name() == "Placeholder") continue;
    os << "  ";
    for (size_t i = 0; i < n.outputs.size(); ++i)
      os << (i ? ", " : "") << "%" << n.name << ":" << i;
    if (!n.outputs.empty()) os << " = ";
    os << n.op->name() << "(";
    for (size_t i = 0; i < n.inputs.size(); ++i)
      os << (i ? ", " : "") << "%" << value_name(n.inputs[i]);
    os << ")";
    bool first = true;
    for (const auto& [k, v] : n.attrs.items()) {
      os << (first ? " {" : ", ") << k << "=" << attr_to_string(v);
      first = false;
    }
    if (!first) os << "}";
    if (!n.control_inputs.empty()) {
      os << " after(";
      for (size_t i = 0; i < n.control_inputs.size(); ++i)
        os << (i ? ", " : "") << "%" << nodes_[n.control_inputs[i]].name;
      os << ")";
    }
    if (!n.outputs.empty()) {
      os << " : ";
      for (size_t i = 0; i < n.outputs.size(); ++i)
        os << (i ? ", " : "") << type_string(n.outputs[i]);
    }
    if (!n.source.empty()) os << "  # " << n.source;
    os << "\n";
  }
  os << "  return (";
  for (size_t i = 0; i < outputs_.size(); ++i)
    os << (i ? ", " : "") << "%" << value_name(outputs_[i]);
  os << ")\n}\n";
  return os.str();
}

void Graph::verify() const {
  auto fail = [&](const Node& n, const std::string& why) {
    raise(ErrorCode::kInternal, "graph '", name_, "' is invalid at node '", n.name, "' (",
          n.op ? n.op->name() : "?", "): ", why);
  };
  std::unordered_map<std::string, int> seen;
  for (int i = 0; i < num_nodes(); ++i) {
    const Node& n = nodes_[i];
    if (!n.op) fail(n, "no op");
    if (!seen.emplace(n.name, i).second) fail(n, "duplicate name");
    for (const ValueRef& in : n.inputs) {
      if (in.node < 0 || in.node >= i) fail(n, "input refers to a later or missing node");
      if (in.index < 0 || in.index >= static_cast<int>(nodes_[in.node].outputs.size()))
        fail(n, "input refers to a missing output of '" + nodes_[in.node].name + "'");
    }
    for (int32_t c : n.control_inputs)
      if (c < 0 || c >= i) fail(n, "control input refers to a later or missing node");
    int declared = static_cast<int>(n.op->inputs().size());
    int got = static_cast<int>(n.inputs.size());
    if (n.op->has_variadic_input() ? got < declared - 1 : got != declared)
      fail(n, "expected " + std::to_string(declared) + " inputs, has " + std::to_string(got));
    for (const TensorType& t : n.outputs)
      if (t.dtype == DType::kInvalid) fail(n, "output without a dtype");
  }
  for (int32_t p : inputs_)
    if (p < 0 || p >= num_nodes() || nodes_[p].op->name() != "Placeholder")
      raise(ErrorCode::kInternal, "graph '", name_, "': input ", p, " is not a placeholder");
  for (const ValueRef& o : outputs_)
    if (o.node < 0 || o.node >= num_nodes() ||
        o.index >= static_cast<int>(nodes_[o.node].outputs.size()))
      raise(ErrorCode::kInternal, "graph '", name_, "': an output refers to a missing value");
}

}  // namespace loom

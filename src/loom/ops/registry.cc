#include "loom/ops/registry.h"

namespace loom {

OpRegistry& OpRegistry::global() {
  static OpRegistry* registry = new OpRegistry();  // never destroyed: ops outlive exit
  return *registry;
}

OpRegistry::OpRegistry() {
  register_math_ops(*this);
  register_compare_ops(*this);
  register_nn_ops(*this);
  register_reduce_ops(*this);
  register_linalg_ops(*this);
  register_array_ops(*this);
  register_random_ops(*this);
  register_io_ops(*this);
  register_graph_ops(*this);
  register_state_ops(*this);
  register_control_ops(*this);
  register_gradient_ops(*this);
}

OpDef& OpRegistry::add(std::string name) {
  if (by_name_.count(name)) raise(ErrorCode::kAlreadyExists, "op '", name, "' is declared twice");
  OpDef& def = ops_.emplace_back(name);
  by_name_.emplace(std::move(name), &def);
  return def;
}

const OpDef* OpRegistry::find(std::string_view name) const {
  auto it = by_name_.find(std::string(name));
  return it == by_name_.end() ? nullptr : it->second;
}

const OpDef& OpRegistry::get(std::string_view name) const {
  const OpDef* d = find(name);
  if (!d) raise(ErrorCode::kNotFound, "no op named '", name, "' is registered");
  return *d;
}

}  // namespace loom

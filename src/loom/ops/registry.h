// The op registry: every op is declared once, by its family file, at start-up.
#pragma once

#include <deque>
#include <string_view>
#include <unordered_map>

#include "loom/ops/op_def.h"

namespace loom {

class OpRegistry {
 public:
  static OpRegistry& global();

  OpDef& add(std::string name);  // raises AlreadyExists for a duplicate name
  const OpDef* find(std::string_view name) const;
  const OpDef& get(std::string_view name) const;  // raises NotFound
  const std::deque<OpDef>& all() const { return ops_; }

 private:
  OpRegistry();
  std::deque<OpDef> ops_;  // deque: stable addresses as ops are added
  std::unordered_map<std::string, OpDef*> by_name_;
};

// Each op family defines one of these (ops/<family>.cc); registry.cc calls them all.
void register_math_ops(OpRegistry& r);
void register_compare_ops(OpRegistry& r);
void register_nn_ops(OpRegistry& r);
void register_reduce_ops(OpRegistry& r);
void register_linalg_ops(OpRegistry& r);
void register_array_ops(OpRegistry& r);
void register_random_ops(OpRegistry& r);
void register_io_ops(OpRegistry& r);
void register_graph_ops(OpRegistry& r);
void register_state_ops(OpRegistry& r);
void register_control_ops(OpRegistry& r);
void register_gradient_ops(OpRegistry& r);

}  // namespace loom

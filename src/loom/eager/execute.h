// execute(): the one entry point for running an op. It validates, infers, then either
// runs the kernel now (eager) or hands the op to the active handler (tracing).
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "loom/ops/registry.h"

namespace loom {

// Receives ops instead of the eager runtime while installed (a graph being traced).
class OpHandler {
 public:
  virtual ~OpHandler() = default;
  virtual std::vector<Tensor> run(const OpDef& op, std::span<const Tensor> inputs,
                                  const Attrs& attrs) = 0;
};

OpHandler* current_handler();

// Installs a handler for the current thread for the scope's lifetime.
class HandlerScope {
 public:
  explicit HandlerScope(OpHandler* h);
  ~HandlerScope();
  HandlerScope(const HandlerScope&) = delete;
  HandlerScope& operator=(const HandlerScope&) = delete;

 private:
  OpHandler* previous_;
};

std::vector<Tensor> execute(const OpDef& op, std::span<const Tensor> inputs,
                            const Attrs& attrs = {});
std::vector<Tensor> execute(std::string_view op, std::span<const Tensor> inputs,
                            const Attrs& attrs = {});
// For ops with exactly one output.
Tensor execute1(const OpDef& op, std::span<const Tensor> inputs, const Attrs& attrs = {});
Tensor execute1(std::string_view op, std::initializer_list<Tensor> inputs, const Attrs& attrs = {});

// Runs the kernel now regardless of handlers (the executor and folding use this).
std::vector<Tensor> execute_eager(const OpDef& op, std::span<const Tensor> inputs,
                                  const Attrs& attrs);

// Arity, dtype and attribute-name checks plus shape/dtype inference: the part of an
// op call shared by eager execution and graph building.
// `value_dependent`, when given, is set to whether inference read input values.
std::vector<TensorType> check_and_infer(const OpDef& op, std::span<const InputInfo> inputs,
                                        const Attrs& attrs, bool* value_dependent = nullptr);

// A name for the next node a graph builder makes on this thread ("add", "MatMul");
// set by frontends that know the user-facing function name. Consumed by the builder.
void set_next_node_name(std::string_view name);
std::string take_next_node_name();

}  // namespace loom

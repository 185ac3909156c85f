// loom::function: the C++ face of tracing. The callable runs once per input signature
// (dtypes and shapes) with symbolic tensors, and later calls with the same signature
// replay the optimized graph through a Plan.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "loom/graph/builder.h"
#include "loom/runtime/plan.h"

namespace loom {

class Function {
 public:
  using Body = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

  Function(Body body, std::string name = "function");

  std::vector<Tensor> operator()(const std::vector<Tensor>& inputs);
  int tracing_count() const;
  // The optimized graph traced for these inputs' signature (tracing if needed).
  const Graph& graph_for(const std::vector<Tensor>& inputs);

 private:
  struct Trace {
    std::shared_ptr<Plan> plan;
    std::vector<Tensor> captures;
  };
  const Trace& trace_for(const std::vector<Tensor>& inputs);

  Body body_;
  std::string name_;
  mutable std::mutex mu_;
  std::map<std::string, Trace> cache_;  // signature text -> trace
};

// `auto f = loom::function([](const std::vector<Tensor>& x) { ... });`
inline Function function(Function::Body body, std::string name = "function") {
  return Function(std::move(body), std::move(name));
}

}  // namespace loom

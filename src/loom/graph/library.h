// The function library: graphs that control-flow ops run (branches, loop bodies),
// referenced from their nodes by name, as TF's If/While name functions in theirs.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "loom/runtime/plan.h"

namespace loom {

class FunctionLibrary {
 public:
  static FunctionLibrary& global();

  // Adds an (already optimized) graph and returns its unique name.
  std::string add(Ref<Graph> graph);
  // The plan of a named function; raises NotFound for an unknown name.
  std::shared_ptr<const Plan> plan(const std::string& name) const;
  const Graph& graph(const std::string& name) const { return plan(name)->graph(); }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Plan>> plans_;
  int64_t next_id_ = 0;
};

}  // namespace loom

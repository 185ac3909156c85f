#include "loom/graph/library.h"

namespace loom {

FunctionLibrary& FunctionLibrary::global() {
  static FunctionLibrary* library = new FunctionLibrary();  // plans outlive static teardown
  return *library;
}

std::string FunctionLibrary::add(Ref<Graph> graph) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string name = graph->name() + "_fn_" + std::to_string(next_id_++);
  plans_.emplace(name, std::make_shared<const Plan>(std::move(graph)));
  return name;
}

std::shared_ptr<const Plan> FunctionLibrary::plan(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = plans_.find(name);
  if (it == plans_.end())
    raise(ErrorCode::kNotFound, "no function named '", name, "' in the library");
  return it->second;
}

}  // namespace loom

#include "loom/function/function.h"

#include "loom/passes/passes.h"

namespace loom {

namespace {
std::string signature_of(const std::vector<Tensor>& inputs) {
  std::string s;
  for (const Tensor& t : inputs) {
    if (!t.defined() || t.is_symbolic())
      raise(ErrorCode::kInvalidArgument, "[function] inputs must be tensors with values");
    s += t.debug_string();
    s += ';';
  }
  return s;
}
}  // namespace

Function::Function(Body body, std::string name) : body_(std::move(body)), name_(std::move(name)) {}

int Function::tracing_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(cache_.size());
}

const Function::Trace& Function::trace_for(const std::vector<Tensor>& inputs) {
  std::string key = signature_of(inputs);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  GraphBuilder builder(Ref<Graph>::adopt(new Graph(name_)), current_builder());
  std::vector<Tensor> placeholders;
  {
    TraceScope scope(builder);
    for (size_t i = 0; i < inputs.size(); ++i)
      placeholders.push_back(
          builder.placeholder(inputs[i].dtype(), inputs[i].shape(), "arg" + std::to_string(i)));
    std::vector<Tensor> outputs = body_(placeholders);
    builder.finish(outputs);
  }
  Trace trace{std::make_shared<Plan>(optimize_graph(builder.graph())), builder.captures()};
  return cache_.emplace(std::move(key), std::move(trace)).first->second;
}

std::vector<Tensor> Function::operator()(const std::vector<Tensor>& inputs) {
  const Trace& trace = trace_for(inputs);
  std::vector<Tensor> all = inputs;
  all.insert(all.end(), trace.captures.begin(), trace.captures.end());
  return trace.plan->run(all);
}

const Graph& Function::graph_for(const std::vector<Tensor>& inputs) {
  return trace_for(inputs).plan->graph();
}

}  // namespace loom

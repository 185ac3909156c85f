// GraphBuilder: the op handler installed while a function is traced. Op calls append
// nodes and return symbolic tensors; eager tensors used inside become captures.
#pragma once

#include <functional>
#include <unordered_map>

#include "loom/eager/execute.h"
#include "loom/graph/graph.h"

namespace loom {

class GraphBuilder : public OpHandler {
 public:
  // `parent`: the builder of the enclosing graph (nested tracing), whose symbolic
  // tensors this graph may capture.
  explicit GraphBuilder(Ref<Graph> graph, GraphBuilder* parent = nullptr);

  std::vector<Tensor> run(const OpDef& op, std::span<const Tensor> inputs,
                          const Attrs& attrs) override;

  // A graph argument.
  Tensor placeholder(DType dtype, Shape shape, std::string_view name);
  // A Const node holding `value`.
  Tensor constant(const Tensor& value);
  // The graph value for a tensor used as an op input: its node if it is ours, a
  // capture placeholder if it is an eager tensor or a value of the parent graph.
  ValueRef value_of(const Tensor& t, const char* op);

  // Marks `outputs` as the graph's results and appends capture placeholders to the
  // graph inputs; the builder must not be used afterwards.
  void finish(std::span<const Tensor> outputs);

  Graph& graph() { return *graph_; }
  const Ref<Graph>& graph_ref() const { return graph_; }
  // The tensors fed to capture placeholders, in graph input order after the arguments.
  const std::vector<Tensor>& captures() const { return captures_; }
  // Supplies the user's source location for each new node (set by the Python layer).
  void set_source_provider(std::function<std::string()> f) { source_ = std::move(f); }
  bool owns(const Tensor& t) const { return t.is_symbolic() && t.graph() == graph_.get(); }
  // A symbolic tensor for an existing node's output.
  Tensor output_tensor(int node, int index);
  // Gives an existing node one more output and returns it (a While asked by its
  // gradient to also return its iteration history).
  Tensor add_output(int node, TensorType type);

 private:
  int add(Node node, std::string_view name);

  Ref<Graph> graph_;
  GraphBuilder* parent_;
  std::vector<int32_t> arg_placeholders_;
  std::vector<int32_t> capture_placeholders_;
  std::vector<Tensor> captures_;
  std::unordered_map<const TensorImpl*, int32_t> capture_index_;  // impl -> placeholder
  // Automatic control dependencies: per variable (keyed by its handle's node), the last
  // write and the reads since; other side effects keep program order among themselves.
  struct ResourceOrder {
    int32_t last_write = -1;
    std::vector<int32_t> reads_since;
  };
  std::vector<int32_t> order_after(const OpDef& op, const Node& n);
  void record_effect(const OpDef& op, const Node& n, int32_t id);
  std::unordered_map<int32_t, ResourceOrder> resources_;
  int32_t last_effect_ = -1;
  std::function<std::string()> source_;
};

// Installs a builder as the current handler of this thread for the scope's lifetime.
class TraceScope {
 public:
  explicit TraceScope(GraphBuilder& b) : scope_(&b) {}

 private:
  HandlerScope scope_;
};

// The innermost builder on this thread, or null when executing eagerly.
GraphBuilder* current_builder();

}  // namespace loom

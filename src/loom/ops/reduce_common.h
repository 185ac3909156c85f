// Shared by the reduce family's files: their registration functions, the checks of
// a scalar axis input and the small helpers their gradients build index tensors with.
#pragma once

#include <optional>

#include "loom/api/op_ref.h"
#include "loom/autodiff/grad_util.h"
#include "loom/graph/graph.h"
#include "loom/ops/registry.h"

namespace loom {

void register_reduction_ops(OpRegistry& r);   // Sum, Mean, Max, Min, Prod, Any, All
void register_arg_reduce_ops(OpRegistry& r);  // ArgMax, ArgMin
void register_scan_ops(OpRegistry& r);        // Cumsum, Cumprod
void register_sort_ops(OpRegistry& r);        // TopKV2, Sort

// The normalized value of the scalar axis input `i` for an input of rank `rank`, or
// nothing while the value or the rank is unknown. `what` names the axis in messages,
// e.g. "dimension": "[ArgMax] Expected dimension in the range [-2, 2), but got 3".
inline std::optional<int> scalar_axis_input(const InferContext& ctx, int i, int rank,
                                            const char* what) {
  const Shape& shape = ctx.input_shape(i);
  if (shape.has_rank() && shape.rank() != 0)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] ", what, " must be a scalar, got shape ",
          shape.to_string());
  const Tensor* value = ctx.input_value(i);
  if (!value || rank < 0) return std::nullopt;
  const int64_t axis = value->item<int64_t>();
  if (axis < -rank || axis >= rank)
    raise(ErrorCode::kInvalidArgument, "[", ctx.name(), "] Expected ", what, " in the range [",
          -rank, ", ", rank, "), but got ", axis);
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

// The value of `t` when a gradient can read it while being built: an eager tensor, or
// a Const node of the graph being traced. Null for values computed at run time.
inline const Tensor* known_value(const Tensor& t) {
  if (!t.is_symbolic()) return &t;
  const auto* g = dynamic_cast<const Graph*>(t.graph());
  if (!g) return nullptr;
  const Node& n = g->node(t.node());
  if (n.op->name() != "Const") return nullptr;
  const AttrValue* value = n.attrs.find("value");
  return value ? &std::get<Tensor>(*value) : nullptr;
}

// An int32 vector or scalar for index arithmetic in gradients: a Const node while
// tracing, so shape inference downstream still sees its value.
inline Tensor int32_vector(const std::vector<int64_t>& v) {
  std::vector<int32_t> narrow(v.begin(), v.end());
  return constant_of(Tensor::from_vector<int32_t>(narrow, Shape{static_cast<int64_t>(v.size())}));
}
inline Tensor int32_scalar(int64_t v) {
  return constant_of(Tensor::scalar<int32_t>(static_cast<int32_t>(v)));
}

}  // namespace loom

// Shared by the reduce family's files: their registration functions and the checks of
// a scalar axis input.
#pragma once

#include <optional>

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

}  // namespace loom

// Building blocks for gradient functions. Each is written with ops, so it works on
// eager values and on symbolic tensors of a graph being traced (shapes may then be
// partly unknown: those helpers read them at run time).
#pragma once

#include <vector>

#include "loom/ops/op_def.h"

namespace loom {

// Float and complex dtypes carry gradients; integers, bools and strings do not.
bool is_differentiable(DType dtype);

// A constant: the value itself eagerly, a Const node while tracing.
Tensor constant_of(const Tensor& value);
Tensor scalar_like(double value, DType dtype);
// x's shape as an int32 vector: a constant when fully known, a Shape op otherwise.
Tensor shape_tensor(const Tensor& x);
Tensor reshape_to(const Tensor& x, const Tensor& shape);
Tensor zeros_like(const Tensor& x);
Tensor ones_like(const Tensor& x);
// Sums a gradient that was broadcast from `like`'s shape back to that shape.
Tensor sum_to_shape_of(const Tensor& grad, const Tensor& like);
// The sum of gradients arriving at one value from several uses.
Tensor add_gradients(std::vector<Tensor>& grads);

// One op's input gradients for a recorded call: runs the op's gradient function with
// zeros for undefined output gradients, reduces broadcast gradients of elementwise ops
// and drops gradients of inputs that cannot carry one. Raises NoGradient when the op
// has no gradient function and is not declared non-differentiable.
std::vector<Tensor> op_input_gradients(const OpDef& op, const Attrs& attrs,
                                       std::span<const Tensor> inputs,
                                       std::span<const Tensor> outputs,
                                       std::span<const Tensor> output_grads, uint64_t needed);

}  // namespace loom

// Shape arithmetic for the array ops' gradient functions. Gradients run eagerly and
// while tracing; these helpers fold to constants whenever the values are known (eager
// tensors, graph constants, fully known static shapes) so traced gradients keep static
// shapes, and emit small int64 ops only for what is known at run time alone.
#pragma once

#include <optional>
#include <vector>

#include "loom/api/op_ref.h"
#include "loom/autodiff/grad_util.h"

namespace loom::grad {

// The values of an integer tensor when known now: an eager tensor or a graph constant.
std::optional<std::vector<int64_t>> known_ints(const Tensor& t);
// The single value of a known one-element integer tensor.
std::optional<int64_t> known_int(const Tensor& t);

// Constants (a Const node while tracing) of `dtype` (int32 or int64).
Tensor int_vector(const std::vector<int64_t>& v, DType dtype = DType::kInt64);
Tensor int_scalar(int64_t v, DType dtype = DType::kInt64);

// `t` as `dtype` (a no-op when it already is).
Tensor cast_as(const Tensor& t, DType dtype);

// x's shape as a `dtype` vector: a constant when fully known, a Shape op otherwise.
Tensor shape_vec(const Tensor& x, DType dtype = DType::kInt64);
// Dimension i of x as an int64 scalar (constant when known).
Tensor dim_of(const Tensor& x, int i);
// The product of dims [begin, end) of x as an int64 scalar (constant when all are known).
Tensor dims_product(const Tensor& x, int begin, int end);
// Scalar int64 arithmetic that folds known operands.
Tensor mul_dims(const Tensor& a, const Tensor& b);
// Packs int64 scalars into a vector (a constant when all are known).
Tensor pack_dims(const std::vector<Tensor>& dims);

// Ops used by several gradients.
Tensor reshape(const Tensor& x, const std::vector<Tensor>& dims);
Tensor transpose(const Tensor& x, const std::vector<int64_t>& perm);
// The sum of all elements of x (a scalar).
Tensor sum_all(const Tensor& x);
Tensor negate(const Tensor& x);

}  // namespace loom::grad

// C++ API: array ops (shapes, layout, joining, padding, creation) as plain functions
// over loom::Tensor. Shape-like arguments are plain int64 vectors.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "loom/core/tensor.h"

namespace loom {

Tensor reshape(const Tensor& x, const std::vector<int64_t>& shape);  // shares x's buffer
Tensor transpose(const Tensor& x, std::vector<int64_t> perm = {});   // empty: reverse dims
Tensor expand_dims(const Tensor& x, int64_t axis);
Tensor squeeze(const Tensor& x, const std::vector<int64_t>& axes = {});  // empty: all 1s
Tensor identity(const Tensor& x);
Tensor stop_gradient(const Tensor& x);
Tensor broadcast_to(const Tensor& x, const std::vector<int64_t>& shape);

Tensor concat(std::span<const Tensor> values, int64_t axis);
Tensor stack(std::span<const Tensor> values, int64_t axis = 0);
std::vector<Tensor> unstack(const Tensor& x, int64_t axis = 0);
std::vector<Tensor> split(const Tensor& x, int64_t num_split, int64_t axis = 0);
// Pieces of the given sizes; one size may be -1 (the rest).
std::vector<Tensor> split_sizes(const Tensor& x, const std::vector<int64_t>& sizes,
                                int64_t axis = 0);

Tensor tile(const Tensor& x, const std::vector<int64_t>& multiples);
// paddings: [before_0, after_0, before_1, after_1, ...]; `value` a scalar of x's dtype
// (undefined: zero).
Tensor pad(const Tensor& x, const std::vector<int64_t>& paddings, const Tensor& value = {});
Tensor mirror_pad(const Tensor& x, const std::vector<int64_t>& paddings,
                  const std::string& mode);  // "REFLECT" or "SYMMETRIC"

Tensor slice(const Tensor& x, const std::vector<int64_t>& begin,
             const std::vector<int64_t>& size);  // size -1: to the end
struct StridedSliceMasks {
  int64_t begin = 0, end = 0, ellipsis = 0, new_axis = 0, shrink_axis = 0;
};
Tensor strided_slice(const Tensor& x, const std::vector<int64_t>& begin,
                     const std::vector<int64_t>& end, const std::vector<int64_t>& strides,
                     const StridedSliceMasks& masks = {});
Tensor reverse(const Tensor& x, const std::vector<int64_t>& axes);
Tensor roll(const Tensor& x, const std::vector<int64_t>& shifts, const std::vector<int64_t>& axes);

Tensor shape_of(const Tensor& x, DType out_type = DType::kInt32);
Tensor rank_of(const Tensor& x);
Tensor size_of(const Tensor& x, DType out_type = DType::kInt32);

Tensor fill(const std::vector<int64_t>& dims, const Tensor& value);
Tensor zeros(const std::vector<int64_t>& dims, DType dtype = DType::kFloat32);
Tensor ones(const std::vector<int64_t>& dims, DType dtype = DType::kFloat32);
// [start, limit) by delta; the three scalars share one dtype (int32/int64/float32/float64).
Tensor range(const Tensor& start, const Tensor& limit, const Tensor& delta);
Tensor linspace(const Tensor& start, const Tensor& stop, int64_t num);
// batch_shape + [num_rows, num_columns] identity matrices; num_columns < 0: square.
Tensor eye(int64_t num_rows, int64_t num_columns = -1, const std::vector<int64_t>& batch_shape = {},
           DType dtype = DType::kFloat32);

}  // namespace loom

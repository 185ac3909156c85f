// C++ API: indexing ops (gather, scatter, one_hot, where, boolean_mask, unique) as
// plain functions over loom::Tensor.
#pragma once

#include "loom/core/tensor.h"

namespace loom {

// Slices of `params` along `axis` at `indices`; the first `batch_dims` dims are shared.
Tensor gather(const Tensor& params, const Tensor& indices, int64_t axis = 0,
              int64_t batch_dims = 0);
// Slices of `params` at the index tuples in the last dim of `indices`.
Tensor gather_nd(const Tensor& params, const Tensor& indices, int64_t batch_dims = 0);
// A zero tensor of `shape` with `updates` added at `indices` (duplicates add up).
Tensor scatter_nd(const Tensor& indices, const Tensor& updates, const Tensor& shape);
// A copy of `tensor` with slices at `indices` replaced (later duplicates win) or combined.
Tensor tensor_scatter_nd_update(const Tensor& tensor, const Tensor& indices, const Tensor& updates);
Tensor tensor_scatter_nd_add(const Tensor& tensor, const Tensor& indices, const Tensor& updates);
Tensor tensor_scatter_nd_sub(const Tensor& tensor, const Tensor& indices, const Tensor& updates);
Tensor tensor_scatter_nd_max(const Tensor& tensor, const Tensor& indices, const Tensor& updates);
Tensor tensor_scatter_nd_min(const Tensor& tensor, const Tensor& indices, const Tensor& updates);
// One-hot encoding; the output dtype is that of the scalars on_value/off_value.
Tensor one_hot(const Tensor& indices, int32_t depth, const Tensor& on_value,
               const Tensor& off_value, int64_t axis = -1);
// int64 [num_true, rank] coordinates of the non-zero elements, in row-major order.
Tensor where_indices(const Tensor& condition);
// The slices of `tensor` where the bool `mask` (matching dims axis.. of tensor) is true.
Tensor boolean_mask(const Tensor& tensor, const Tensor& mask, int64_t axis = 0);

struct UniqueResult {
  Tensor y;    // the distinct values, in order of first occurrence
  Tensor idx;  // for each x[i], the position of its value in y
};
UniqueResult unique(const Tensor& x, DType out_idx = DType::kInt32);

}  // namespace loom

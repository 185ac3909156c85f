// C++ API: reductions, scans and sorting as plain functions over loom::Tensor.
#pragma once

#include <vector>

#include "loom/core/tensor.h"

namespace loom {

// Reduce over `axes` (negative axes count from the end); the overloads without axes
// reduce over every axis.
Tensor reduce_sum(const Tensor& x, const std::vector<int64_t>& axes, bool keep_dims = false);
Tensor reduce_mean(const Tensor& x, const std::vector<int64_t>& axes, bool keep_dims = false);
Tensor reduce_max(const Tensor& x, const std::vector<int64_t>& axes, bool keep_dims = false);
Tensor reduce_min(const Tensor& x, const std::vector<int64_t>& axes, bool keep_dims = false);
Tensor reduce_prod(const Tensor& x, const std::vector<int64_t>& axes, bool keep_dims = false);
Tensor reduce_any(const Tensor& x, const std::vector<int64_t>& axes, bool keep_dims = false);
Tensor reduce_all(const Tensor& x, const std::vector<int64_t>& axes, bool keep_dims = false);
Tensor reduce_sum(const Tensor& x);
Tensor reduce_mean(const Tensor& x);
Tensor reduce_max(const Tensor& x);
Tensor reduce_min(const Tensor& x);
Tensor reduce_prod(const Tensor& x);
Tensor reduce_any(const Tensor& x);
Tensor reduce_all(const Tensor& x);

Tensor argmax(const Tensor& x, int64_t axis = 0, DType output_type = DType::kInt64);
Tensor argmin(const Tensor& x, int64_t axis = 0, DType output_type = DType::kInt64);

Tensor cumsum(const Tensor& x, int64_t axis = 0, bool exclusive = false, bool reverse = false);
Tensor cumprod(const Tensor& x, int64_t axis = 0, bool exclusive = false, bool reverse = false);

struct TopK {
  Tensor values;
  Tensor indices;  // int32
};
// The k largest entries along the last axis, largest first; ties keep the lower index.
TopK top_k(const Tensor& x, int64_t k = 1);

// Stable sort along `axis`; argsort returns the int32 positions.
Tensor sort(const Tensor& x, int64_t axis = -1, bool descending = false);
Tensor argsort(const Tensor& x, int64_t axis = -1, bool descending = false);

}  // namespace loom

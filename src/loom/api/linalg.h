// C++ API: linalg ops as plain functions over loom::Tensor.
#pragma once

#include <string>
#include <vector>

#include "loom/core/tensor.h"

namespace loom {

// a x b (MatMul for matrices, BatchMatMulV2 with broadcast batch dims for rank > 2).
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false);

// Einstein summation, e.g. einsum("ij,jk->ik", {a, b}).
Tensor einsum(const std::string& equation, const std::vector<Tensor>& inputs);

// Sum of the main diagonal of the innermost matrices.
Tensor trace(const Tensor& x);

}  // namespace loom

// Row-major matrix products on the CPU: float/double go to CBLAS (OpenBLAS), half and
// bfloat16 compute in float, integers use Eigen's product (BLAS has no integer GEMM).
#pragma once

#include <cstdint>
#include <span>

#include "loom/core/dtype.h"

namespace loom::cpu {

// Dimensions of C[m,n] = op(A) * op(B), where op(A) is [m,k] and op(B) is [k,n]. A is
// stored [m,k] (or [k,m] when trans_a), B is [k,n] (or [n,k] when trans_b), all dense.
struct GemmDims {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false;
};

// One product written into dense C. `op` names the caller in errors (dims too large
// for BLAS's 32-bit ints).
template <class T>
void gemm(const GemmDims& d, const T* a, const T* b, T* c, const char* op);

// A batch of products: item i reads A at a + a_offsets[i] and B at b + b_offsets[i]
// (offsets in elements, so broadcast batch dims repeat an offset) and writes the i-th
// dense [m,n] block of C.
template <class T>
void gemm_batch(const GemmDims& d, const T* a, std::span<const int64_t> a_offsets, const T* b,
                std::span<const int64_t> b_offsets, T* c, const char* op);

// The dtypes the kernels above are instantiated for.
inline constexpr DTypeSet kGemmTypes{DType::kFloat16, DType::kBFloat16, DType::kFloat32,
                                     DType::kFloat64, DType::kInt32,    DType::kInt64};

}  // namespace loom::cpu

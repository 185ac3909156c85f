#include "loom/kernels/cpu/gemm.h"

#include <cblas.h>

#include <Eigen/Core>
#include <algorithm>
#include <climits>
#include <vector>

namespace loom::cpu {

namespace {

// CBLAS takes 32-bit ints; larger matrices are refused rather than silently truncated.
void check_blas_range(const GemmDims& d, const char* op) {
  if (d.m > INT_MAX || d.n > INT_MAX || d.k > INT_MAX)
    raise(ErrorCode::kResourceExhausted, "[", op, "] matrix dimensions m=", d.m, ", n=", d.n,
          ", k=", d.k, " exceed the BLAS limit of ", INT_MAX);
}

// Leading dimensions of the stored (not the transposed) matrices; BLAS wants >= 1.
int lda_of(const GemmDims& d) {
  return static_cast<int>(std::max<int64_t>(1, d.trans_a ? d.m : d.k));
}
int ldb_of(const GemmDims& d) {
  return static_cast<int>(std::max<int64_t>(1, d.trans_b ? d.k : d.n));
}

void blas_gemm(const GemmDims& d, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, d.trans_a ? CblasTrans : CblasNoTrans,
              d.trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(d.m), static_cast<int>(d.n),
              static_cast<int>(d.k), 1.0f, a, lda_of(d), b, ldb_of(d), 0.0f, c,
              static_cast<int>(std::max<int64_t>(1, d.n)));
}

void blas_gemm(const GemmDims& d, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, d.trans_a ? CblasTrans : CblasNoTrans,
              d.trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(d.m), static_cast<int>(d.n),
              static_cast<int>(d.k), 1.0, a, lda_of(d), b, ldb_of(d), 0.0, c,
              static_cast<int>(std::max<int64_t>(1, d.n)));
}

template <class T>
using RowMajorMap =
    Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
template <class T>
using RowMajorOut = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;

template <class T>
void eigen_gemm(const GemmDims& d, const T* a, const T* b, T* c) {
  RowMajorOut<T> out(c, d.m, d.n);
  RowMajorMap<T> ma(a, d.trans_a ? d.k : d.m, d.trans_a ? d.m : d.k);
  RowMajorMap<T> mb(b, d.trans_b ? d.n : d.k, d.trans_b ? d.k : d.n);
  if (d.trans_a && d.trans_b) {
    out.noalias() = ma.transpose() * mb.transpose();
  } else if (d.trans_a) {
    out.noalias() = ma.transpose() * mb;
  } else if (d.trans_b) {
    out.noalias() = ma * mb.transpose();
  } else {
    out.noalias() = ma * mb;
  }
}

// Dispatches one product on a type BLAS or Eigen handles natively.
template <class T>
void native_gemm(const GemmDims& d, const T* a, const T* b, T* c) {
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>)
    blas_gemm(d, a, b, c);
  else
    eigen_gemm(d, a, b, c);
}

template <class T>
constexpr bool kComputesInFloat = std::is_same_v<T, half> || std::is_same_v<T, bfloat16>;

std::vector<float> to_float(const auto* src, int64_t n) {
  std::vector<float> out(n);
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(src[i]);
  return out;
}

// Below this many multiply-adds per product, a plain loop beats a BLAS call's overhead
// (einsum produces many tiny products, e.g. per-row dot products).
constexpr int64_t kSmallProduct = 512;

template <class T>
void small_gemm(const GemmDims& d, const T* a, const T* b, T* c) {
  using Acc = std::conditional_t<kComputesInFloat<T>, float, T>;
  // A(i,p) = a[i * a_row + p * a_col]; B(p,j) = b[p * b_row + j * b_col].
  const int64_t a_row = d.trans_a ? 1 : d.k, a_col = d.trans_a ? d.m : 1;
  const int64_t b_row = d.trans_b ? 1 : d.n, b_col = d.trans_b ? d.k : 1;
  for (int64_t i = 0; i < d.m; ++i)
    for (int64_t j = 0; j < d.n; ++j) {
      Acc sum = Acc(0);
      for (int64_t p = 0; p < d.k; ++p)
        sum +=
            static_cast<Acc>(a[i * a_row + p * a_col]) * static_cast<Acc>(b[p * b_row + j * b_col]);
      c[i * d.n + j] = static_cast<T>(sum);
    }
}

// Elements of the input an operand's batch reads: up to its last offset's matrix.
int64_t span_of(std::span<const int64_t> offsets, int64_t matrix_size) {
  int64_t last = 0;
  for (int64_t o : offsets) last = std::max(last, o);
  return offsets.empty() ? 0 : last + matrix_size;
}

}  // namespace

template <class T>
void gemm(const GemmDims& d, const T* a, const T* b, T* c, const char* op) {
  const int64_t zero_offset = 0;
  gemm_batch<T>(d, a, {&zero_offset, 1}, b, {&zero_offset, 1}, c, op);
}

template <class T>
void gemm_batch(const GemmDims& d, const T* a, std::span<const int64_t> a_offsets, const T* b,
                std::span<const int64_t> b_offsets, T* c, const char* op) {
  const int64_t batch = static_cast<int64_t>(a_offsets.size());
  const int64_t c_size = d.m * d.n;
  if (batch == 0 || c_size == 0) return;
  if (d.k == 0) {  // an empty sum: BLAS rejects lda = 0, and the answer is all zeros
    std::fill(c, c + batch * c_size, T(0));
    return;
  }
  if (d.k <= kSmallProduct / c_size) {
    for (int64_t i = 0; i < batch; ++i)
      small_gemm(d, a + a_offsets[i], b + b_offsets[i], c + i * c_size);
    return;
  }
  check_blas_range(d, op);
  if constexpr (kComputesInFloat<T>) {
    std::vector<float> fa = to_float(a, span_of(a_offsets, d.m * d.k));
    std::vector<float> fb = to_float(b, span_of(b_offsets, d.k * d.n));
    std::vector<float> fc(batch * c_size);
    for (int64_t i = 0; i < batch; ++i)
      blas_gemm(d, fa.data() + a_offsets[i], fb.data() + b_offsets[i], fc.data() + i * c_size);
    for (int64_t i = 0; i < batch * c_size; ++i) c[i] = static_cast<T>(fc[i]);
  } else {
    for (int64_t i = 0; i < batch; ++i)
      native_gemm(d, a + a_offsets[i], b + b_offsets[i], c + i * c_size);
  }
}

#define LOOM_GEMM_INSTANTIATE(T)                                                             \
  template void gemm<T>(const GemmDims&, const T*, const T*, T*, const char*);               \
  template void gemm_batch<T>(const GemmDims&, const T*, std::span<const int64_t>, const T*, \
                              std::span<const int64_t>, T*, const char*);
LOOM_GEMM_INSTANTIATE(half)
LOOM_GEMM_INSTANTIATE(bfloat16)
LOOM_GEMM_INSTANTIATE(float)
LOOM_GEMM_INSTANTIATE(double)
LOOM_GEMM_INSTANTIATE(int32_t)
LOOM_GEMM_INSTANTIATE(int64_t)
#undef LOOM_GEMM_INSTANTIATE

}  // namespace loom::cpu

#include "loom/kernels/cpu/conv.h"

#include <cblas.h>

#include <Eigen/Core>
#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

#include "loom/core/error.h"

namespace loom {

Padding parse_padding(const std::string& name, const char* op, bool allow_explicit) {
  if (name == "SAME") return Padding::kSame;
  if (name == "VALID") return Padding::kValid;
  if (name == "EXPLICIT" && allow_explicit) return Padding::kExplicit;
  raise(ErrorCode::kInvalidArgument, "[", op, "] padding must be ",
        allow_explicit ? "SAME, VALID or EXPLICIT" : "SAME or VALID", ", got '", name, "'");
}

namespace {
int64_t add_or_raise(int64_t a, int64_t b, const char* op) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r))
    raise(ErrorCode::kInvalidArgument, "[", op, "] window sizes overflow: ", a, " + ", b);
  return r;
}
int64_t mul_or_raise(int64_t a, int64_t b, const char* op) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    raise(ErrorCode::kInvalidArgument, "[", op, "] window sizes overflow: ", a, " * ", b);
  return r;
}
}  // namespace

WindowDim window_dim(int64_t in, int64_t filter, int64_t dilation, int64_t stride, Padding padding,
                     int64_t explicit_before, int64_t explicit_after, const char* op) {
  WindowDim w;
  if (in < 0) return w;
  if (padding == Padding::kSame) {
    w.out = in / stride + (in % stride != 0);  // known even when the filter is not
  }
  if (filter < 0) return w;
  const int64_t effective = add_or_raise(mul_or_raise(filter - 1, dilation, op), 1, op);
  if (padding == Padding::kSame) {
    const int64_t span = add_or_raise((w.out > 0 ? (w.out - 1) * stride : 0), effective, op);
    const int64_t needed = std::max<int64_t>(0, span - in);
    w.pad_before = needed / 2;
    w.pad_after = needed - w.pad_before;
    return w;
  }
  if (padding == Padding::kExplicit) {
    w.pad_before = explicit_before;
    w.pad_after = explicit_after;
  }
  const int64_t padded = add_or_raise(add_or_raise(in, w.pad_before, op), w.pad_after, op);
  if (padded < effective)
    raise(ErrorCode::kInvalidArgument, "[", op,
          "] Computed output size would be negative: the effective filter size ", effective,
          " is larger than the padded input size ", padded, " [input_size: ", in,
          ", padding: ", w.pad_before, "+", w.pad_after, ", filter_size: ", filter,
          ", dilation: ", dilation, ", stride: ", stride, "]");
  w.out = (padded - effective) / stride + 1;
  return w;
}

namespace cpu {

namespace {

// Largest im2col block, in elements: big enough for BLAS to run at full speed, small
// enough to stay in cache-friendly memory.
constexpr int64_t kColBlockElements = int64_t{1} << 22;

void gemm(int m, int n, int k, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
}
void gemm(int m, int n, int k, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0, a, k, b, n, 0.0, c, n);
}

// C[m,n] = A[m,k] * B[n,k]^T.
void gemm_nt(int m, int n, int k, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a, k, b, k, 0.0f, c, n);
}
void gemm_nt(int m, int n, int k, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0, a, k, b, k, 0.0, c, n);
}

// C[m,n] (+)= A[k,m]^T * B[k,n]; accumulate adds to C instead of overwriting it.
void gemm_tn(int m, int n, int k, const float* a, const float* b, float* c, bool accumulate) {
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, n, k, 1.0f, a, m, b, n,
              accumulate ? 1.0f : 0.0f, c, n);
}
void gemm_tn(int m, int n, int k, const double* a, const double* b, double* c, bool accumulate) {
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, m, n, k, 1.0, a, m, b, n,
              accumulate ? 1.0 : 0.0, c, n);
}

// Writes the im2col rows [row_begin, row_end) of the output (row = (b, oh, ow)); each row
// holds the (kh, kw, ic) patch, zeros where the patch leaves the input.
template <class T>
void im2col_rows(const Conv2DGeometry& g, const T* input, int64_t row_begin, int64_t row_end,
                 T* col) {
  const int64_t patch = g.filter_h * g.filter_w * g.in_c;
  const int64_t run = g.filter_w * g.in_c;  // one filter row when dilation_w == 1
  const int64_t out_plane = g.out_h * g.out_w;
  for (int64_t r = row_begin; r < row_end; ++r, col += patch) {
    const int64_t b = r / out_plane, oh = (r % out_plane) / g.out_w, ow = r % g.out_w;
    const T* image = input + b * g.in_h * g.in_w * g.in_c;
    const int64_t h0 = oh * g.stride_h - g.pad_top, w0 = ow * g.stride_w - g.pad_left;
    const bool row_inside = g.dilation_w == 1 && w0 >= 0 && w0 + g.filter_w <= g.in_w;
    T* dst = col;
    for (int64_t kh = 0; kh < g.filter_h; ++kh) {
      const int64_t ih = h0 + kh * g.dilation_h;
      if (ih < 0 || ih >= g.in_h) {
        std::fill_n(dst, run, T(0));
        dst += run;
        continue;
      }
      const T* src_row = image + ih * g.in_w * g.in_c;
      if (row_inside) {
        std::memcpy(dst, src_row + w0 * g.in_c, run * sizeof(T));
        dst += run;
        continue;
      }
      for (int64_t kw = 0; kw < g.filter_w; ++kw, dst += g.in_c) {
        const int64_t iw = w0 + kw * g.dilation_w;
        if (iw < 0 || iw >= g.in_w)
          std::fill_n(dst, g.in_c, T(0));
        else
          std::memcpy(dst, src_row + iw * g.in_c, g.in_c * sizeof(T));
      }
    }
  }
}

// The adjoint of im2col_rows: adds each patch of rows [row_begin, row_end) back onto the
// input positions it was read from (patch entries in the padding are dropped).
template <class T>
void col2im_rows(const Conv2DGeometry& g, const T* col, int64_t row_begin, int64_t row_end,
                 T* input) {
  using Vec = Eigen::Array<T, Eigen::Dynamic, 1>;
  const int64_t patch = g.filter_h * g.filter_w * g.in_c;
  const int64_t run = g.filter_w * g.in_c;
  const int64_t out_plane = g.out_h * g.out_w;
  for (int64_t r = row_begin; r < row_end; ++r, col += patch) {
    const int64_t b = r / out_plane, oh = (r % out_plane) / g.out_w, ow = r % g.out_w;
    T* image = input + b * g.in_h * g.in_w * g.in_c;
    const int64_t h0 = oh * g.stride_h - g.pad_top, w0 = ow * g.stride_w - g.pad_left;
    const bool row_inside = g.dilation_w == 1 && w0 >= 0 && w0 + g.filter_w <= g.in_w;
    const T* src = col;
    for (int64_t kh = 0; kh < g.filter_h; ++kh, src += run) {
      const int64_t ih = h0 + kh * g.dilation_h;
      if (ih < 0 || ih >= g.in_h) continue;
      T* dst_row = image + ih * g.in_w * g.in_c;
      if (row_inside) {
        Eigen::Map<Vec>(dst_row + w0 * g.in_c, run) += Eigen::Map<const Vec>(src, run);
        continue;
      }
      for (int64_t kw = 0; kw < g.filter_w; ++kw) {
        const int64_t iw = w0 + kw * g.dilation_w;
        if (iw < 0 || iw >= g.in_w) continue;
        Eigen::Map<Vec>(dst_row + iw * g.in_c, g.in_c) +=
            Eigen::Map<const Vec>(src + kw * g.in_c, g.in_c);
      }
    }
  }
}

struct Blocking {
  int64_t rows, patch, block_rows;
  bool pointwise;  // the input itself is the im2col matrix
};

Blocking plan_blocks(const Conv2DGeometry& g, const char* op) {
  Blocking b;
  b.rows = g.batch * g.out_h * g.out_w;
  b.patch = g.filter_h * g.filter_w * g.in_c;
  if (b.patch > INT_MAX || g.out_c > INT_MAX)
    raise(ErrorCode::kResourceExhausted, "[", op, "] filter of ", b.patch, " x ", g.out_c,
          " values is too large for BLAS");
  // A 1x1 filter with unit stride and no padding reads the input as the im2col matrix.
  b.pointwise = g.filter_h == 1 && g.filter_w == 1 && g.stride_h == 1 && g.stride_w == 1 &&
                g.pad_top == 0 && g.pad_left == 0 && g.out_h == g.in_h && g.out_w == g.in_w;
  b.block_rows = std::clamp<int64_t>(kColBlockElements / std::max<int64_t>(b.patch, 1), 1,
                                     std::max<int64_t>(std::min<int64_t>(b.rows, INT_MAX), 1));
  return b;
}

}  // namespace

template <class T>
void conv2d_nhwc(const Conv2DGeometry& g, const T* input, const T* filter, T* output) {
  const Blocking p = plan_blocks(g, "Conv2D");
  if (p.rows == 0 || g.out_c == 0) return;
  if (p.patch == 0) {
    std::fill_n(output, p.rows * g.out_c, T(0));
    return;
  }
  std::vector<T> col(p.pointwise ? 0 : p.block_rows * p.patch);
  for (int64_t begin = 0; begin < p.rows; begin += p.block_rows) {
    const int64_t end = std::min(p.rows, begin + p.block_rows);
    const T* a = input + begin * p.patch;
    if (!p.pointwise) {
      im2col_rows(g, input, begin, end, col.data());
      a = col.data();
    }
    gemm(static_cast<int>(end - begin), static_cast<int>(g.out_c), static_cast<int>(p.patch), a,
         filter, output + begin * g.out_c);
  }
}

template <class T>
void conv2d_backprop_input_nhwc(const Conv2DGeometry& g, const T* filter, const T* out_backprop,
                                T* in_backprop) {
  std::fill_n(in_backprop, g.batch * g.in_h * g.in_w * g.in_c, T(0));
  const Blocking p = plan_blocks(g, "Conv2DBackpropInput");
  if (p.rows == 0 || p.patch == 0 || g.out_c == 0) return;
  if (p.pointwise) {
    // in_backprop [rows, in_c] = out_backprop [rows, out_c] * filter [in_c, out_c]^T.
    for (int64_t begin = 0; begin < p.rows; begin += p.block_rows) {
      const int64_t end = std::min(p.rows, begin + p.block_rows);
      gemm_nt(static_cast<int>(end - begin), static_cast<int>(p.patch), static_cast<int>(g.out_c),
              out_backprop + begin * g.out_c, filter, in_backprop + begin * p.patch);
    }
    return;
  }
  std::vector<T> col(p.block_rows * p.patch);
  for (int64_t begin = 0; begin < p.rows; begin += p.block_rows) {
    const int64_t end = std::min(p.rows, begin + p.block_rows);
    gemm_nt(static_cast<int>(end - begin), static_cast<int>(p.patch), static_cast<int>(g.out_c),
            out_backprop + begin * g.out_c, filter, col.data());
    col2im_rows(g, col.data(), begin, end, in_backprop);
  }
}

template <class T>
void conv2d_backprop_filter_nhwc(const Conv2DGeometry& g, const T* input, const T* out_backprop,
                                 T* filter_backprop) {
  const Blocking p = plan_blocks(g, "Conv2DBackpropFilter");
  if (p.rows == 0 || p.patch == 0 || g.out_c == 0) {
    std::fill_n(filter_backprop, p.patch * g.out_c, T(0));
    return;
  }
  std::vector<T> col(p.pointwise ? 0 : p.block_rows * p.patch);
  for (int64_t begin = 0; begin < p.rows; begin += p.block_rows) {
    const int64_t end = std::min(p.rows, begin + p.block_rows);
    const T* a = input + begin * p.patch;
    if (!p.pointwise) {
      im2col_rows(g, input, begin, end, col.data());
      a = col.data();
    }
    gemm_tn(static_cast<int>(p.patch), static_cast<int>(g.out_c), static_cast<int>(end - begin), a,
            out_backprop + begin * g.out_c, filter_backprop, /*accumulate=*/begin > 0);
  }
}

template void conv2d_nhwc<float>(const Conv2DGeometry&, const float*, const float*, float*);
template void conv2d_nhwc<double>(const Conv2DGeometry&, const double*, const double*, double*);
template void conv2d_backprop_input_nhwc<float>(const Conv2DGeometry&, const float*, const float*,
                                                float*);
template void conv2d_backprop_input_nhwc<double>(const Conv2DGeometry&, const double*,
                                                 const double*, double*);
template void conv2d_backprop_filter_nhwc<float>(const Conv2DGeometry&, const float*, const float*,
                                                 float*);
template void conv2d_backprop_filter_nhwc<double>(const Conv2DGeometry&, const double*,
                                                  const double*, double*);

}  // namespace cpu
}  // namespace loom

#include "loom/kernels/cpu/layout.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace loom::cpu {

namespace {

// A copy box after dropping size-1 dims and merging dims that are contiguous in both
// source and destination. Strides are in bytes.
struct CopyPlan {
  std::vector<int64_t> dims, dst, src;
};

CopyPlan simplify(std::span<const int64_t> dims, std::span<const int64_t> dst_strides,
                  std::span<const int64_t> src_strides, size_t elem_size) {
  const auto es = static_cast<int64_t>(elem_size);
  CopyPlan p;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == 1) continue;
    const int64_t d = dst_strides[i] * es, s = src_strides[i] * es;
    if (!p.dims.empty() && p.dst.back() == d * dims[i] && p.src.back() == s * dims[i]) {
      p.dims.back() *= dims[i];
      p.dst.back() = d;
      p.src.back() = s;
      continue;
    }
    p.dims.push_back(dims[i]);
    p.dst.push_back(d);
    p.src.push_back(s);
  }
  if (p.dims.empty()) {
    p.dims.push_back(1);
    p.dst.push_back(es);
    p.src.push_back(es);
  }
  return p;
}

// Calls f(dst, src) for every index of `dims` (all but the dims the caller handles).
template <class F>
void for_each_index(const std::vector<int64_t>& dims, const std::vector<int64_t>& dst_st,
                    const std::vector<int64_t>& src_st, char* dst, const char* src, F&& f) {
  const size_t k = dims.size();
  if (k == 0) {
    f(dst, src);
    return;
  }
  std::vector<int64_t> idx(k, 0);
  for (;;) {
    f(dst, src);
    size_t d = k;
    while (d-- > 0) {
      dst += dst_st[d];
      src += src_st[d];
      if (++idx[d] < dims[d]) break;
      dst -= dst_st[d] * dims[d];
      src -= src_st[d] * dims[d];
      idx[d] = 0;
      if (d == 0) return;
    }
  }
}

// Element moves of a fixed byte size; memcpy of a constant size compiles to one load
// and one store and sidesteps aliasing rules.
template <size_t N>
void strided_run(char* dst, int64_t dst_step, const char* src, int64_t src_step, int64_t n) {
  for (int64_t i = 0; i < n; ++i) std::memcpy(dst + i * dst_step, src + i * src_step, N);
}

constexpr int64_t kTile = 32;

// dst is contiguous along the innermost dim while src is contiguous along dim `j`: copy
// kTile x kTile blocks so both sides stay in cache (the core of a transpose).
template <size_t N>
void tiled_copy(const CopyPlan& p, size_t j, char* dst, const char* src) {
  const size_t k = p.dims.size() - 1;
  CopyPlan outer;
  for (size_t d = 0; d < k; ++d) {
    if (d == j) continue;
    outer.dims.push_back(p.dims[d]);
    outer.dst.push_back(p.dst[d]);
    outer.src.push_back(p.src[d]);
  }
  const int64_t ni = p.dims[k], nj = p.dims[j];
  const int64_t di = p.dst[k], si = p.src[k], dj = p.dst[j], sj = p.src[j];
  for_each_index(outer.dims, outer.dst, outer.src, dst, src, [&](char* d, const char* s) {
    for (int64_t jb = 0; jb < nj; jb += kTile) {
      const int64_t je = std::min(nj, jb + kTile);
      for (int64_t ib = 0; ib < ni; ib += kTile) {
        const int64_t ie = std::min(ni, ib + kTile);
        for (int64_t i = ib; i < ie; ++i)
          strided_run<N>(d + i * di + jb * dj, dj, s + i * si + jb * sj, sj, je - jb);
      }
    }
  });
}

template <size_t N>
void copy_elements(const CopyPlan& p, char* dst, const char* src) {
  const size_t k = p.dims.size() - 1;
  const int64_t n = p.dims[k], ds = p.dst[k], ss = p.src[k];
  const auto es = static_cast<int64_t>(N);
  if (ds == es && ss != es && n >= 4) {
    for (size_t j = 0; j < k; ++j) {
      if (p.src[j] == es && p.dims[j] >= 4) {
        tiled_copy<N>(p, j, dst, src);
        return;
      }
    }
  }
  CopyPlan outer{{p.dims.begin(), p.dims.end() - 1},
                 {p.dst.begin(), p.dst.end() - 1},
                 {p.src.begin(), p.src.end() - 1}};
  for_each_index(outer.dims, outer.dst, outer.src, dst, src,
                 [&](char* d, const char* s) { strided_run<N>(d, ds, s, ss, n); });
}

}  // namespace

void strided_copy(std::span<const int64_t> dims, void* dst, std::span<const int64_t> dst_strides,
                  const void* src, std::span<const int64_t> src_strides, size_t elem_size) {
  for (int64_t d : dims)
    if (d == 0) return;
  CopyPlan p = simplify(dims, dst_strides, src_strides, elem_size);
  auto* d = static_cast<char*>(dst);
  const auto* s = static_cast<const char*>(src);
  const auto es = static_cast<int64_t>(elem_size);
  if (p.dst.back() == es && p.src.back() == es) {
    // Contiguous innermost run on both sides: one memcpy per run.
    const size_t run = static_cast<size_t>(p.dims.back()) * elem_size;
    CopyPlan outer{{p.dims.begin(), p.dims.end() - 1},
                   {p.dst.begin(), p.dst.end() - 1},
                   {p.src.begin(), p.src.end() - 1}};
    for_each_index(outer.dims, outer.dst, outer.src, d, s,
                   [&](char* dd, const char* ss) { std::memcpy(dd, ss, run); });
    return;
  }
  switch (elem_size) {
    case 1:
      return copy_elements<1>(p, d, s);
    case 2:
      return copy_elements<2>(p, d, s);
    case 4:
      return copy_elements<4>(p, d, s);
    case 8:
      return copy_elements<8>(p, d, s);
    default:
      raise(ErrorCode::kInternal, "strided_copy: unsupported element size ", elem_size);
  }
}

void fill_pattern(void* dst, int64_t n, const void* value, size_t elem_size) {
  if (n <= 0) return;
  auto* d = static_cast<char*>(dst);
  const size_t total = static_cast<size_t>(n) * elem_size;
  if (elem_size == 1) {
    std::memset(d, *static_cast<const unsigned char*>(value), total);
    return;
  }
  // Write one element, then double the filled prefix: O(log n) memcpy calls.
  std::memcpy(d, value, elem_size);
  size_t filled = elem_size;
  while (filled < total) {
    const size_t chunk = std::min(filled, total - filled);
    std::memcpy(d + filled, d, chunk);
    filled += chunk;
  }
}

void transpose(const Tensor& in, const Tensor& out, std::span<const int> perm) {
  const int rank = in.rank();
  std::vector<int64_t> in_strides = row_major_strides(in.shape().dims());
  std::vector<int64_t> dims(rank), src_strides(rank);
  for (int i = 0; i < rank; ++i) {
    dims[i] = in.dim(perm[i]);
    src_strides[i] = in_strides[perm[i]];
  }
  std::vector<int64_t> dst_strides = row_major_strides(dims);
  strided_copy(dims, out.raw_data(), dst_strides, in.raw_data(), src_strides,
               dtype_size(in.dtype()));
}

Tensor contiguous_range(const Tensor& src, DType dtype, Shape shape, size_t offset,
                        const char* op) {
  const size_t nbytes =
      static_cast<size_t>(checked_num_elements(shape.dims(), op)) * dtype_size(dtype);
  if (offset == 0) return Tensor::from_buffer(dtype, std::move(shape), src.buffer());
  char* start = static_cast<char*>(src.raw_data()) + offset;
  if (nbytes > 0 && reinterpret_cast<uintptr_t>(start) % kBufferAlignment == 0) {
    // Keep the parent buffer alive for as long as the view lives.
    auto* parent = new Ref<Buffer>(src.buffer());
    Ref<Buffer> view = Buffer::wrap(
        start, nbytes, [](void* ctx) { delete static_cast<Ref<Buffer>*>(ctx); }, parent);
    return Tensor::from_buffer(dtype, std::move(shape), std::move(view));
  }
  Tensor out = Tensor::empty(dtype, std::move(shape), op);
  if (nbytes > 0) std::memcpy(out.raw_data(), start, nbytes);
  return out;
}

void one_value(DType dtype, void* out) {
  visit_dtype(dtype, "one_value", [&]<class T>() {
    const T one = static_cast<T>(1.0f);
    std::memcpy(out, &one, sizeof(T));
  });
}

}  // namespace loom::cpu

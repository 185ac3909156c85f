// Reductions over any set of axes. The input shape is first collapsed (size-1 dims
// dropped, neighbouring dims with the same role merged), so every reduction becomes a
// few passes that each remove one reduced group: along contiguous rows
// ([outer, n] -> [outer]) or across rows ([outer, n, inner] -> [outer, inner]), both
// Eigen-vectorized.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <limits>
#include <span>
#include <type_traits>
#include <vector>

#include "loom/kernels/cpu/elementwise.h"

namespace loom::cpu {

// Half types accumulate in float; everything else in its own type.
template <class T>
struct accumulator {
  using type = T;
};
template <>
struct accumulator<half> {
  using type = float;
};
template <>
struct accumulator<bfloat16> {
  using type = float;
};
template <class T>
using acc_t = typename accumulator<T>::type;

// The largest value of T (+inf where T has one): the identity of Min.
template <class T>
T highest_value() {
  if constexpr (std::numeric_limits<T>::has_infinity)
    return std::numeric_limits<T>::infinity();
  else
    return std::numeric_limits<T>::max();
}
// The smallest value of T (-inf where T has one): the identity of Max.
template <class T>
T lowest_value() {
  if constexpr (std::numeric_limits<T>::has_infinity)
    return -std::numeric_limits<T>::infinity();
  else
    return std::numeric_limits<T>::lowest();
}

// Sum of n contiguous values, pairwise over blocks: SIMD inside each block, and an
// error that grows with log(n) rather than n.
template <class A, class In>
A pairwise_sum(const In* p, int64_t n) {
  constexpr int64_t kBlock = 2048;
  if (n <= kBlock) return ConstVec<In>(p, n).template cast<A>().sum();
  const int64_t half_n = (n / 2) & ~int64_t{63};  // halves split on cache-line multiples
  return pairwise_sum<A>(p, half_n) + pairwise_sum<A>(p + half_n, n - half_n);
}

// A reducer gives its identity, the reduction of one contiguous row, and the
// elementwise combination of an accumulator row with an input row.
struct SumReducer {
  template <class A>
  static A identity() {
    return A(0);
  }
  template <class A, class In>
  static A row(const In* p, int64_t n) {
    return pairwise_sum<A>(p, n);
  }
  template <class A, class In>
  static void accumulate(A* acc, const In* p, int64_t n) {
    Vec<A>(acc, n) += ConstVec<In>(p, n).template cast<A>();
  }
};

struct ProdReducer {
  template <class A>
  static A identity() {
    return A(1);
  }
  template <class A, class In>
  static A row(const In* p, int64_t n) {
    return ConstVec<In>(p, n).template cast<A>().prod();
  }
  template <class A, class In>
  static void accumulate(A* acc, const In* p, int64_t n) {
    Vec<A>(acc, n) *= ConstVec<In>(p, n).template cast<A>();
  }
};

// Max and Min propagate NaN, as NumPy does.
struct MaxReducer {
  template <class A>
  static A identity() {
    return lowest_value<A>();
  }
  template <class A, class In>
  static A row(const In* p, int64_t n) {
    return ConstVec<In>(p, n).template cast<A>().template maxCoeff<Eigen::PropagateNaN>();
  }
  template <class A, class In>
  static void accumulate(A* acc, const In* p, int64_t n) {
    Vec<A> a(acc, n);
    a = a.binaryExpr(ConstVec<In>(p, n).template cast<A>(),
                     Eigen::internal::scalar_max_op<A, A, Eigen::PropagateNaN>());
  }
};

struct MinReducer {
  template <class A>
  static A identity() {
    return highest_value<A>();
  }
  template <class A, class In>
  static A row(const In* p, int64_t n) {
    return ConstVec<In>(p, n).template cast<A>().template minCoeff<Eigen::PropagateNaN>();
  }
  template <class A, class In>
  static void accumulate(A* acc, const In* p, int64_t n) {
    Vec<A> a(acc, n);
    a = a.binaryExpr(ConstVec<In>(p, n).template cast<A>(),
                     Eigen::internal::scalar_min_op<A, A, Eigen::PropagateNaN>());
  }
};

// Any and All run on bools viewed as bytes (0/1): Any is Max, All is Min with identity 1.
using AnyReducer = MaxReducer;
struct AllReducer : MinReducer {
  template <class A>
  static A identity() {
    return A(1);
  }
};

// A shape collapsed for reduction: every dim > 1, neighbours differ in role.
struct ReduceLayout {
  std::vector<int64_t> dims;
  std::vector<bool> reduced;
  bool reduces_anything() const {
    return std::find(reduced.begin(), reduced.end(), true) != reduced.end();
  }
};

inline ReduceLayout collapse_for_reduce(std::span<const int64_t> dims,
                                        const std::vector<bool>& mask) {
  ReduceLayout out;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == 1) continue;
    if (!out.dims.empty() && out.reduced.back() == mask[i]) {
      out.dims.back() *= dims[i];
    } else {
      out.dims.push_back(dims[i]);
      out.reduced.push_back(mask[i]);
    }
  }
  return out;
}

// out[o, k] = R over m of in[o, m, k]; with inner == 1 that is a row reduction.
template <class R, class A, class In>
void reduce_pass(const In* in, A* out, int64_t outer, int64_t n, int64_t inner) {
  if (inner == 1) {
    for (int64_t o = 0; o < outer; ++o) out[o] = R::template row<A>(in + o * n, n);
    return;
  }
  for (int64_t o = 0; o < outer; ++o) {
    const In* base = in + o * n * inner;
    A* acc = out + o * inner;
    Vec<A>(acc, inner) = ConstVec<In>(base, inner).template cast<A>();
    for (int64_t m = 1; m < n; ++m) R::template accumulate<A>(acc, base + m * inner, inner);
  }
}

// Reduces a non-empty input laid out as `layout` into `out` (the kept dims, in order),
// removing the last reduced group on each pass.
template <class R, class A, class T>
void reduce_collapsed(const T* in, ReduceLayout layout, A* out) {
  std::vector<int64_t>& dims = layout.dims;
  std::vector<bool>& reduced = layout.reduced;
  if (!layout.reduces_anything()) {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    Vec<A>(out, n) = ConstVec<T>(in, n).template cast<A>();
    return;
  }
  std::vector<A> ping, pong;
  const A* src = nullptr;  // null: the first pass reads `in`
  while (true) {
    const int g = static_cast<int>(std::find(reduced.rbegin(), reduced.rend(), true).base() -
                                   reduced.begin()) -
                  1;
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < g; ++i) outer *= dims[i];
    for (size_t i = g + 1; i < dims.size(); ++i) inner *= dims[i];
    const bool last = std::find(reduced.begin(), reduced.begin() + g, true) == reduced.begin() + g;
    A* dst = out;
    if (!last) {
      std::vector<A>& buf = (src == ping.data() && !ping.empty()) ? pong : ping;
      buf.resize(outer * inner);
      dst = buf.data();
    }
    if (src)
      reduce_pass<R, A>(src, dst, outer, dims[g], inner);
    else
      reduce_pass<R, A>(in, dst, outer, dims[g], inner);
    if (last) return;
    // Drop the group; its kept neighbours are now adjacent in memory and merge.
    dims.erase(dims.begin() + g);
    reduced.erase(reduced.begin() + g);
    if (g > 0 && static_cast<size_t>(g) < dims.size()) {
      dims[g - 1] *= dims[g];
      dims.erase(dims.begin() + g);
      reduced.erase(reduced.begin() + g);
    }
    src = dst;
  }
}

// The full reduction of `in` (shape `dims`, reduced where `mask`) into `out`, which has
// one element per kept position. A is the accumulator type; kMean divides by the count.
template <class R, class A, bool kMean, class T>
void reduce_tensor(const T* in, std::span<const int64_t> dims, const std::vector<bool>& mask,
                   T* out, int64_t out_count) {
  int64_t in_count = 1, reduced_count = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    in_count *= dims[i];
    if (mask[i]) reduced_count *= dims[i];
  }
  if (out_count == 0) return;
  if (in_count == 0) {
    // An empty reduction: the identity, or for Mean 0/0 (NaN; 0 for integers).
    A fill = R::template identity<A>();
    if constexpr (kMean)
      fill = std::numeric_limits<A>::has_quiet_NaN ? std::numeric_limits<A>::quiet_NaN() : A(0);
    std::fill(out, out + out_count, static_cast<T>(fill));
    return;
  }
  const ReduceLayout layout = collapse_for_reduce(dims, mask);
  if constexpr (std::is_same_v<A, T>) {
    reduce_collapsed<R, A>(in, layout, out);
    if constexpr (kMean) Vec<A>(out, out_count) /= static_cast<A>(reduced_count);
  } else {
    std::vector<A> acc(out_count);
    reduce_collapsed<R, A>(in, layout, acc.data());
    if constexpr (kMean) {
      Vec<T>(out, out_count) =
          (ConstVec<A>(acc.data(), out_count) / static_cast<A>(reduced_count)).template cast<T>();
    } else {
      Vec<T>(out, out_count) = ConstVec<A>(acc.data(), out_count).template cast<T>();
    }
  }
}

}  // namespace loom::cpu

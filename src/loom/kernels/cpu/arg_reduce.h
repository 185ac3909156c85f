// ArgMax / ArgMin along one axis of an [outer, n, inner] layout. Ties keep the first
// index; NaN beats every number (the first NaN wins), as in NumPy.
#pragma once

#include <algorithm>
#include <limits>
#include <memory>

#include "loom/kernels/cpu/axis_split.h"
#include "loom/kernels/cpu/reduce.h"

namespace loom::cpu {

template <bool kMax, class T>
inline bool improves(T candidate, T best) {
  if constexpr (!std::numeric_limits<T>::is_integer) {
    if (Eigen::numext::isnan(best)) return false;
    if (Eigen::numext::isnan(candidate)) return true;
  }
  return kMax ? best < candidate : candidate < best;
}

// The first position of the extreme value of a row. Each block gets a plain vectorized
// max/min; a NaN sum flags blocks that may hold a NaN (the first NaN wins outright).
// The first block holding the extreme is then scanned for its first occurrence.
template <bool kMax, class T>
int64_t arg_extreme_of_row(const T* row, int64_t n) {
  if constexpr (std::is_same_v<T, bool>) {
    return arg_extreme_of_row<kMax>(reinterpret_cast<const uint8_t*>(row), n);
  } else {
    // Half types compare in float: Eigen's half packets only convert through it anyway.
    using A = acc_t<T>;
    constexpr int64_t kBlock = 4096;
    A best{};
    int64_t best_start = -1;
    for (int64_t start = 0; start < n; start += kBlock) {
      const int64_t len = std::min(kBlock, n - start);
      const auto values = ConstVec<T>(row + start, len).template cast<A>();
      if constexpr (!std::numeric_limits<T>::is_integer) {
        if (Eigen::numext::isnan(values.sum())) {  // a NaN, or inf - inf
          for (int64_t m = start; m < start + len; ++m)
            if (Eigen::numext::isnan(row[m])) return m;
        }
      }
      const A e = kMax ? values.maxCoeff() : values.minCoeff();
      if (best_start < 0 || (kMax ? best < e : e < best)) {
        best = e;
        best_start = start;
      }
    }
    const int64_t end = std::min(best_start + kBlock, n);
    for (int64_t m = best_start; m < end; ++m)
      if (static_cast<A>(row[m]) == best) return m;
    return best_start;  // unreachable: the block holds its own extreme
  }
}

// Requires n > 0 (checked by inference).
template <bool kMax, class T, class Out>
void arg_reduce(const T* in, Out* out, const AxisSplit& s) {
  const int64_t n = s.n, inner = s.inner;
  if (inner == 1) {
    for (int64_t o = 0; o < s.outer; ++o)
      out[o] = static_cast<Out>(arg_extreme_of_row<kMax>(in + o * n, n));
    return;
  }
  // Walk rows of `inner` values so memory is read in order.
  // A plain array: std::vector<bool> would pack bits.
  std::unique_ptr<T[]> best(new T[inner]);
  for (int64_t o = 0; o < s.outer; ++o) {
    const T* base = in + o * n * inner;
    Out* idx = out + o * inner;
    std::copy(base, base + inner, best.get());
    std::fill(idx, idx + inner, Out(0));
    for (int64_t m = 1; m < n; ++m) {
      const T* row = base + m * inner;
      for (int64_t k = 0; k < inner; ++k) {
        if (improves<kMax>(row[k], best[k])) {
          best[k] = row[k];
          idx[k] = static_cast<Out>(m);
        }
      }
    }
  }
}

}  // namespace loom::cpu

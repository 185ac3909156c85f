// ArgMax / ArgMin along one axis of an [outer, n, inner] layout. Ties keep the first
// index; NaN beats every number (the first NaN wins), as in NumPy.
#pragma once

#include <algorithm>
#include <limits>
#include <memory>

#include "loom/kernels/cpu/axis_split.h"
#include "loom/kernels/cpu/elementwise.h"

namespace loom::cpu {

template <bool kMax, class T>
inline bool improves(T candidate, T best) {
  if constexpr (!std::numeric_limits<T>::is_integer) {
    if (Eigen::numext::isnan(best)) return false;
    if (Eigen::numext::isnan(candidate)) return true;
  }
  return kMax ? best < candidate : candidate < best;
}

// Requires n > 0 (checked by inference).
template <bool kMax, class T, class Out>
void arg_reduce(const T* in, Out* out, const AxisSplit& s) {
  const int64_t n = s.n, inner = s.inner;
  if (inner == 1) {
    for (int64_t o = 0; o < s.outer; ++o) {
      const T* row = in + o * n;
      T best = row[0];
      int64_t best_index = 0;
      for (int64_t m = 1; m < n; ++m) {
        if (improves<kMax>(row[m], best)) {
          best = row[m];
          best_index = m;
        }
      }
      out[o] = static_cast<Out>(best_index);
    }
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

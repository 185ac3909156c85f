// Cumulative sums and products along one axis of an [outer, n, inner] layout. Rows of
// `inner` values are combined with Eigen (vectorized); a single column is a plain loop,
// as each step needs the previous one.
#pragma once

#include <vector>

#include "loom/kernels/cpu/axis_split.h"
#include "loom/kernels/cpu/reduce.h"

namespace loom::cpu {

template <bool kProduct, class T>
void cumulative(const T* in, T* out, const AxisSplit& s, bool exclusive, bool reverse) {
  using A = acc_t<T>;
  const A init = kProduct ? A(1) : A(0);
  const int64_t n = s.n, inner = s.inner;
  if (s.outer == 0 || n == 0 || inner == 0) return;
  if (inner == 1) {
    for (int64_t o = 0; o < s.outer; ++o) {
      const T* x = in + o * n;
      T* y = out + o * n;
      A acc = init;
      for (int64_t j = 0; j < n; ++j) {
        const int64_t m = reverse ? n - 1 - j : j;
        const A v = static_cast<A>(x[m]);
        if (exclusive) y[m] = static_cast<T>(acc);
        acc = kProduct ? static_cast<A>(acc * v) : static_cast<A>(acc + v);
        if (!exclusive) y[m] = static_cast<T>(acc);
      }
    }
    return;
  }
  std::vector<A> acc_storage(inner);
  Vec<A> acc(acc_storage.data(), inner);
  for (int64_t o = 0; o < s.outer; ++o) {
    acc.setConstant(init);
    for (int64_t j = 0; j < n; ++j) {
      const int64_t m = reverse ? n - 1 - j : j;
      const int64_t offset = (o * n + m) * inner;
      ConstVec<T> x(in + offset, inner);
      Vec<T> y(out + offset, inner);
      if (exclusive) y = acc.template cast<T>();
      if constexpr (kProduct)
        acc *= x.template cast<A>();
      else
        acc += x.template cast<A>();
      if (!exclusive) y = acc.template cast<T>();
    }
  }
}

}  // namespace loom::cpu

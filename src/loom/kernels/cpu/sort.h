// Sorting and top-k. Both order values totally, NaN above every number, and break ties
// by the lower index, so results are deterministic and sorts are stable.
#pragma once

#include <algorithm>
#include <limits>
#include <numeric>
#include <vector>

#include "loom/kernels/cpu/axis_split.h"
#include "loom/kernels/cpu/elementwise.h"

namespace loom::cpu {

template <class T>
inline bool less_nan_last(T a, T b) {
  if constexpr (!std::numeric_limits<T>::is_integer) {
    if (Eigen::numext::isnan(a)) return false;
    if (Eigen::numext::isnan(b)) return true;
  }
  return a < b;
}

// Orders positions i, j of `values`: ascending or descending, lower index first on ties.
template <class T, bool kDescending>
struct PositionOrder {
  const T* values;
  bool operator()(int32_t i, int32_t j) const {
    const T a = values[i], b = values[j];
    if (kDescending ? less_nan_last(b, a) : less_nan_last(a, b)) return true;
    if (kDescending ? less_nan_last(a, b) : less_nan_last(b, a)) return false;
    return i < j;
  }
};

// Sorts every line along the axis; n must fit in int32 (checked by inference).
template <class T, bool kDescending>
void sort_lines(const T* in, T* out_values, int32_t* out_indices, const AxisSplit& s) {
  const int64_t n = s.n, inner = s.inner;
  std::vector<T> line(inner == 1 ? 0 : n);
  std::vector<int32_t> order(n);
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t k = 0; k < inner; ++k) {
      const int64_t base = o * n * inner + k;
      const T* values = in + base;
      if (inner != 1) {
        for (int64_t m = 0; m < n; ++m) line[m] = in[base + m * inner];
        values = line.data();
      }
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), PositionOrder<T, kDescending>{values});
      for (int64_t m = 0; m < n; ++m) {
        out_values[base + m * inner] = values[order[m]];
        out_indices[base + m * inner] = order[m];
      }
    }
  }
}

// The k largest values of each row of n (rows are contiguous), largest first.
template <class T>
void top_k_rows(const T* in, T* out_values, int32_t* out_indices, int64_t rows, int64_t n,
                int64_t k) {
  if (k == 0) return;
  std::vector<int32_t> order(n);
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = in + r * n;
    const PositionOrder<T, true> first{row};
    std::iota(order.begin(), order.end(), 0);
    if (k < n) std::nth_element(order.begin(), order.begin() + k, order.end(), first);
    std::sort(order.begin(), order.begin() + k, first);
    for (int64_t j = 0; j < k; ++j) {
      out_values[r * k + j] = row[order[j]];
      out_indices[r * k + j] = order[j];
    }
  }
}

}  // namespace loom::cpu

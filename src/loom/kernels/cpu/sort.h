// Sorting and top-k. Values are mapped to unsigned keys whose order is the value order
// (NaN above every number, -0 equal to +0), and (key, index) pairs are sorted: cheap
// integer comparisons, ties broken by the lower index, so sorts are stable.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include "loom/core/dtype.h"
#include "loom/kernels/cpu/axis_split.h"

namespace loom::cpu {

template <class T>
auto ascending_key(T v) {
  if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) {
    return ascending_key(static_cast<float>(v));
  } else if constexpr (std::is_floating_point_v<T>) {
    using U = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
    constexpr U kSign = U{1} << (sizeof(U) * 8 - 1);
    if (std::isnan(v)) return std::numeric_limits<U>::max();
    const U bits = std::bit_cast<U>(static_cast<T>(v + T(0)));  // -0 + 0 is +0
    return (bits & kSign) ? static_cast<U>(~bits) : static_cast<U>(bits | kSign);
  } else if constexpr (std::is_signed_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<U>(static_cast<U>(v) ^ (U{1} << (sizeof(T) * 8 - 1)));
  } else {
    return v;
  }
}

template <class T>
using sort_key_t = decltype(ascending_key(T{}));

// A key and its position, ordered by key then position. Keys of up to 32 bits pack with
// the position into one uint64, so a comparison is a single integer compare.
template <class K>
struct KeyedIndex {
  static constexpr bool kPacked = sizeof(K) <= 4;
  using Storage = std::conditional_t<kPacked, uint64_t, std::pair<K, int32_t>>;
  Storage bits;
  KeyedIndex() = default;
  KeyedIndex(K key, int32_t position) {
    if constexpr (kPacked)
      bits = (uint64_t{key} << 32) | static_cast<uint32_t>(position);
    else
      bits = {key, position};
  }
  int32_t index() const {
    if constexpr (kPacked)
      return static_cast<int32_t>(bits & 0xffffffffu);
    else
      return bits.second;
  }
  bool operator<(const KeyedIndex& o) const { return bits < o.bits; }
};

template <bool kDescending, class T>
sort_key_t<T> sort_key(T v) {
  const sort_key_t<T> key = ascending_key(v);
  return kDescending ? static_cast<sort_key_t<T>>(~key) : key;
}

// Sorts every line along the axis; n must fit in int32 (checked by inference).
template <class T, bool kDescending>
void sort_lines(const T* in, T* out_values, int32_t* out_indices, const AxisSplit& s) {
  const int64_t n = s.n, inner = s.inner;
  std::vector<KeyedIndex<sort_key_t<T>>> line(n);
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t k = 0; k < inner; ++k) {
      const int64_t base = o * n * inner + k;
      for (int64_t m = 0; m < n; ++m)
        line[m] = KeyedIndex(sort_key<kDescending>(in[base + m * inner]), static_cast<int32_t>(m));
      std::sort(line.begin(), line.end());
      for (int64_t m = 0; m < n; ++m) {
        out_values[base + m * inner] = in[base + line[m].index() * inner];
        out_indices[base + m * inner] = line[m].index();
      }
    }
  }
}

// The k largest values of each row of n (rows are contiguous), largest first.
template <class T>
void top_k_rows(const T* in, T* out_values, int32_t* out_indices, int64_t rows, int64_t n,
                int64_t k) {
  if (k == 0) return;
  std::vector<KeyedIndex<sort_key_t<T>>> line(n);
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = in + r * n;
    for (int64_t m = 0; m < n; ++m)
      line[m] = KeyedIndex(sort_key<true>(row[m]), static_cast<int32_t>(m));
    if (k < n) std::nth_element(line.begin(), line.begin() + k, line.end());
    std::sort(line.begin(), line.begin() + k);
    for (int64_t j = 0; j < k; ++j) {
      out_values[r * k + j] = row[line[j].index()];
      out_indices[r * k + j] = line[j].index();
    }
  }
}

}  // namespace loom::cpu

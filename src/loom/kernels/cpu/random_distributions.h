// Turning Philox output bits into samples of each distribution. Every sampler reads
// only the blocks that belong to its output positions, so a kernel's result is a pure
// function of (generator, base block index) and of nothing else.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "loom/core/dtype.h"
#include "loom/kernels/cpu/philox.h"

namespace loom::cpu {

// Where a kernel draws from: a generator and the first block index it owns.
struct RandomStream {
  Philox4x32 gen;
  uint64_t base = 0;

  Philox4x32::Block block(uint64_t i, uint32_t lane = 0) const { return gen.at(base + i, lane); }

  // Calls f(i, words) for blocks i in [0, count) of lane 0, generated in batches.
  template <class F>
  void for_each_block(int64_t count, F&& f) const {
    constexpr int64_t kChunk = 64;
    uint32_t words[4 * kChunk];
    for (int64_t first = 0; first < count; first += kChunk) {
      const int64_t n = std::min(kChunk, count - first);
      gen.fill_blocks(base + static_cast<uint64_t>(first), n, words);
      for (int64_t j = 0; j < n; ++j) f(first + j, words + 4 * j);
    }
  }
};

// Rejection samplers give element i the first candidate in slot i % per of block
// i / per (per = candidates per block); its retries read whole blocks in lanes only
// that slot uses, so the result never depends on other elements' rejections.
inline uint32_t retry_lane(int per, uint32_t attempt, int slot) {
  return 1 + static_cast<uint32_t>(per) * attempt + static_cast<uint32_t>(slot);
}

// ---- bit-level helpers --------------------------------------------------------------

inline uint64_t join64(uint32_t hi, uint32_t lo) {
  return (uint64_t{hi} << 32) | lo;
}

// Uniform in [0, 1) with 24 random bits: exact in float, float64 arithmetic stays exact.
inline double unit_from_word(uint32_t w) {
  return static_cast<double>(w >> 8) * 0x1p-24;
}
// Uniform in [0, 1) with 53 random bits.
inline double unit_from_words(uint32_t hi, uint32_t lo) {
  return static_cast<double>(join64(hi, lo) >> 11) * 0x1p-53;
}

// Uniform in [0, 1) built directly with T's significand width, so no rounding can
// ever produce 1.0 in T (a float draw rounded to float16 could).
template <class T>
T unit_uniform(uint32_t w) {
  if constexpr (std::is_same_v<T, half>) {
    return static_cast<half>(static_cast<float>(w >> 21) * 0x1p-11f);
  } else if constexpr (std::is_same_v<T, bfloat16>) {
    return static_cast<bfloat16>(static_cast<float>(w >> 24) * 0x1p-8f);
  } else {
    static_assert(std::is_same_v<T, float>);
    return static_cast<float>(w >> 8) * 0x1p-24f;
  }
}

// The largest T strictly below x (x finite).
template <class T>
T next_below(T x) {
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    return std::nextafter(x, -std::numeric_limits<T>::infinity());
  } else {
    uint16_t bits;
    std::memcpy(&bits, static_cast<const void*>(&x), sizeof bits);
    if ((bits & 0x7FFFu) == 0)
      bits = 0x8001u;  // below +-0 lies the smallest negative subnormal
    else if (bits & 0x8000u)
      ++bits;  // negative: larger magnitude
    else
      --bits;
    T out;
    std::memcpy(static_cast<void*>(&out), &bits, sizeof bits);
    return out;
  }
}

// Samples per Philox block for each output type (double consumes two words).
template <class T>
inline constexpr int kUniformsPerBlock = std::is_same_v<T, double> ? 2 : 4;

inline int64_t blocks_for(int64_t n, int per_block) {
  return (n + per_block - 1) / per_block;
}

// ---- uniform floats -----------------------------------------------------------------

// out[i] uniform in [0, 1), or in [lo, hi) when `scaled`: computed in float64 from
// T-rounded bounds and kept strictly below hi after rounding back to T.
template <class T>
void fill_uniform(const RandomStream& s, T* out, int64_t n, bool scaled = false, double lo = 0,
                  double hi = 1) {
  constexpr int per = kUniformsPerBlock<T>;
  const T hi_t = static_cast<T>(hi);
  const double lo_d = static_cast<double>(static_cast<T>(lo));
  const double hi_d = static_cast<double>(hi_t);
  const double span = hi_d - lo_d;
  const bool finite_span = std::isfinite(span);
  auto scale = [&](double u) {
    const double v = finite_span ? lo_d + u * span : lo_d * (1 - u) + hi_d * u;
    T t = static_cast<T>(v);
    if (hi_d > lo_d && !(t < hi_t)) t = next_below(hi_t);
    return t;
  };
  s.for_each_block(blocks_for(n, per), [&](int64_t b, const uint32_t* w) {
    const int64_t first = b * per;
    const int count = static_cast<int>(std::min<int64_t>(per, n - first));
    for (int j = 0; j < count; ++j) {
      if constexpr (std::is_same_v<T, double>) {
        const double u = unit_from_words(w[2 * j], w[2 * j + 1]);
        out[first + j] = scaled ? scale(u) : u;
      } else {
        out[first + j] = scaled ? scale(unit_from_word(w[j])) : unit_uniform<T>(w[j]);
      }
    }
  });
}

// ---- normals (Box-Muller) -----------------------------------------------------------

// Two independent standard normals from one block: float types use one word per
// uniform (four normals per block), double two words (two normals per block).
template <class T>
inline constexpr int kNormalsPerBlock = std::is_same_v<T, double> ? 2 : 4;

template <class Real>
inline void box_muller(Real u_open, Real u, Real* z) {
  // u_open lies in (0, 1], so the logarithm is finite.
  const Real radius = std::sqrt(Real(-2) * std::log(u_open));
  const Real angle = Real(2 * M_PI) * u;
  z[0] = radius * std::cos(angle);
  z[1] = radius * std::sin(angle);
}

// The normals of one block, as Real (float for 16/32-bit types, double for double).
template <class T, class Real = std::conditional_t<std::is_same_v<T, double>, double, float>>
inline void normals_from_block(const uint32_t* w, Real* z) {
  if constexpr (std::is_same_v<T, double>) {
    const double u_open = 1.0 - unit_from_words(w[0], w[1]);
    box_muller<double>(u_open, unit_from_words(w[2], w[3]), z);
  } else {
    for (int p = 0; p < 2; ++p) {
      const float u_open = static_cast<float>((w[2 * p] >> 8) + 1) * 0x1p-24f;
      box_muller<float>(u_open, static_cast<float>(w[2 * p + 1] >> 8) * 0x1p-24f, z + 2 * p);
    }
  }
}

template <class T>
void fill_normal(const RandomStream& s, T* out, int64_t n) {
  constexpr int per = kNormalsPerBlock<T>;
  using Real = std::conditional_t<std::is_same_v<T, double>, double, float>;
  s.for_each_block(blocks_for(n, per), [&](int64_t b, const uint32_t* w) {
    Real z[per];
    normals_from_block<T>(w, z);
    const int64_t first = b * per;
    const int count = static_cast<int>(std::min<int64_t>(per, n - first));
    for (int j = 0; j < count; ++j) out[first + j] = static_cast<T>(z[j]);
  });
}

// Normals with |z| < 2, redrawing the rest (see retry_lane).
template <class T>
void fill_truncated_normal(const RandomStream& s, T* out, int64_t n) {
  constexpr int per = kNormalsPerBlock<T>;
  using Real = std::conditional_t<std::is_same_v<T, double>, double, float>;
  auto inside = [](Real z) { return std::abs(z) < Real(2); };
  s.for_each_block(blocks_for(n, per), [&](int64_t b, const uint32_t* w) {
    Real z[per];
    normals_from_block<T>(w, z);
    const int64_t first = b * per;
    const int count = static_cast<int>(std::min<int64_t>(per, n - first));
    for (int j = 0; j < count; ++j) {
      Real v = z[j];
      for (uint32_t attempt = 0; !inside(v); ++attempt) {
        Real retry[per];
        normals_from_block<T>(s.block(b, retry_lane(per, attempt, j)).data(), retry);
        const Real* hit = std::find_if(retry, retry + per, inside);
        if (hit != retry + per) v = *hit;
      }
      out[first + j] = static_cast<T>(v);
    }
  });
}

// ---- integers -----------------------------------------------------------------------

// Unbiased integers in [0, range) (range >= 1) by Lemire's multiply-and-reject:
// 32-bit candidates (four per block) for ranges up to 2^32, 64-bit ones (two per
// block) beyond.
class BoundedIntSampler {
 public:
  explicit BoundedIntSampler(uint64_t range) : range_(range) {
    narrow_ = range <= (uint64_t{1} << 32);
    // Products whose low part falls below `threshold_` are the biased ones.
    threshold_ = narrow_ ? (uint64_t{1} << 32) % range : (0 - range) % range;
  }

  int per_block() const { return narrow_ ? 4 : 2; }

  // The element whose first candidate is `slot` of block b (words w): that candidate
  // when accepted, else the first accepted one of its retry lanes.
  uint64_t sample(const RandomStream& s, uint64_t b, int slot, const uint32_t* w) const {
    uint64_t v;
    if (accept(w, slot, &v)) return v;
    const int per = per_block();
    for (uint32_t attempt = 0;; ++attempt) {
      const auto retry = s.block(b, retry_lane(per, attempt, slot));
      for (int j = 0; j < per; ++j)
        if (accept(retry.data(), j, &v)) return v;
    }
  }

 private:
  bool accept(const uint32_t* w, int slot, uint64_t* out) const {
    if (narrow_) {
      const uint64_t m = uint64_t{w[slot]} * range_;
      *out = m >> 32;
      return (m & 0xFFFFFFFFu) >= threshold_;
    }
    const unsigned __int128 m =
        static_cast<unsigned __int128>(join64(w[2 * slot], w[2 * slot + 1])) * range_;
    *out = static_cast<uint64_t>(m >> 64);
    return static_cast<uint64_t>(m) >= threshold_;
  }

  uint64_t range_;
  uint64_t threshold_;
  bool narrow_;
};

inline uint64_t int_range(int64_t lo, int64_t hi) {
  return static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
}

// Philox blocks fill_uniform_int reads (beyond retries) for n values in [lo, hi).
inline int64_t uniform_int_blocks(int64_t n, int64_t lo, int64_t hi) {
  return blocks_for(n, BoundedIntSampler(int_range(lo, hi)).per_block());
}

// out[i] uniform in [lo, hi); the caller guarantees lo < hi.
template <class T>
void fill_uniform_int(const RandomStream& s, T* out, int64_t n, T lo, T hi) {
  const BoundedIntSampler sampler(int_range(lo, hi));
  const int per = sampler.per_block();
  s.for_each_block(blocks_for(n, per), [&](int64_t b, const uint32_t* w) {
    const int64_t first = b * per;
    const int count = static_cast<int>(std::min<int64_t>(per, n - first));
    for (int j = 0; j < count; ++j)
      out[first + j] = static_cast<T>(static_cast<uint64_t>(lo) +
                                      sampler.sample(s, static_cast<uint64_t>(b), j, w));
  });
}

}  // namespace loom::cpu

// Turning Philox output bits into samples of each distribution. Every sampler reads
// only the blocks that belong to its output positions, so a kernel's result is a pure
// function of (generator, base block index) and of nothing else.
#pragma once

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
};

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
  const int64_t blocks = blocks_for(n, per);
  for (int64_t b = 0; b < blocks; ++b) {
    const auto w = s.block(b);
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
  }
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
inline void normals_from_block(const Philox4x32::Block& w, Real* z) {
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
  const int64_t blocks = blocks_for(n, per);
  Real z[per];
  for (int64_t b = 0; b < blocks; ++b) {
    normals_from_block<T>(s.block(b), z);
    const int64_t first = b * per;
    const int count = static_cast<int>(std::min<int64_t>(per, n - first));
    for (int j = 0; j < count; ++j) out[first + j] = static_cast<T>(z[j]);
  }
}

// Normals with |z| < 2, rejecting the rest. Element i owns block i and retries in
// further lanes of it, so the result never depends on other elements' rejections.
template <class T>
void fill_truncated_normal(const RandomStream& s, T* out, int64_t n) {
  constexpr int per = kNormalsPerBlock<T>;
  using Real = std::conditional_t<std::is_same_v<T, double>, double, float>;
  Real z[per];
  for (int64_t i = 0; i < n; ++i) {
    for (uint32_t lane = 0;; ++lane) {
      normals_from_block<T>(s.block(i, lane), z);
      int j = 0;
      while (j < per && !(std::abs(z[j]) < Real(2))) ++j;
      if (j < per) {
        out[i] = static_cast<T>(z[j]);
        break;
      }
    }
  }
}

// ---- integers -----------------------------------------------------------------------

// Unbiased integer in [0, range) (range >= 1) by Lemire's multiply-and-reject, reading
// words of element i's blocks (lanes 0, 1, ...) until one is accepted.
class BoundedIntSampler {
 public:
  explicit BoundedIntSampler(uint64_t range) : range_(range) {
    narrow_ = range <= (uint64_t{1} << 32);
    // Products whose low part falls below `threshold_` are the biased ones.
    threshold_ = narrow_ ? (uint64_t{1} << 32) % range : (0 - range) % range;
  }

  uint64_t operator()(const RandomStream& s, uint64_t element) const {
    for (uint32_t lane = 0;; ++lane) {
      const auto w = s.block(element, lane);
      if (narrow_) {
        for (int j = 0; j < 4; ++j) {
          const uint64_t m = uint64_t{w[j]} * range_;
          if ((m & 0xFFFFFFFFu) >= threshold_) return m >> 32;
        }
      } else {
        for (int j = 0; j < 2; ++j) {
          const unsigned __int128 m =
              static_cast<unsigned __int128>(join64(w[2 * j], w[2 * j + 1])) * range_;
          if (static_cast<uint64_t>(m) >= threshold_) return static_cast<uint64_t>(m >> 64);
        }
      }
    }
  }

 private:
  uint64_t range_;
  uint64_t threshold_;
  bool narrow_;
};

// out[i] uniform in [lo, hi); the caller guarantees lo < hi.
template <class T>
void fill_uniform_int(const RandomStream& s, T* out, int64_t n, T lo, T hi) {
  const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  const BoundedIntSampler sample(range);
  for (int64_t i = 0; i < n; ++i)
    out[i] = static_cast<T>(static_cast<uint64_t>(lo) + sample(s, static_cast<uint64_t>(i)));
}

}  // namespace loom::cpu

// Samplers that pick among existing values: categorical draws from logits and a
// random permutation of rows. Like the distributions, they read only the blocks of
// their own output positions.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "loom/kernels/cpu/random_distributions.h"

namespace loom::cpu {

// Two categorical samples per block (each needs one 53-bit uniform).
inline constexpr int kCategoricalPerBlock = 2;

// out[b, s] = a class drawn with probability softmax(logits[b, :]). Non-finite logits
// get probability zero; a row with no finite logit draws classes uniformly.
template <class T, class Out>
void sample_categorical(const RandomStream& s, const T* logits, int64_t batch, int64_t classes,
                        int64_t samples, Out* out) {
  std::vector<double> cdf(classes);
  for (int64_t b = 0; b < batch; ++b) {
    const T* row = logits + b * classes;
    double max_logit = -std::numeric_limits<double>::infinity();
    for (int64_t c = 0; c < classes; ++c) {
      const double v = static_cast<double>(row[c]);
      if (std::isfinite(v)) max_logit = std::max(max_logit, v);
    }
    double total = 0;
    int64_t last_positive = -1;
    for (int64_t c = 0; c < classes; ++c) {
      const double v = static_cast<double>(row[c]);
      if (std::isfinite(v)) {
        const double p = std::exp(v - max_logit);
        total += p;
        if (p > 0) last_positive = c;
      }
      cdf[c] = total;
    }
    for (int64_t k = 0; k < samples; ++k) {
      const int64_t e = b * samples + k;
      const auto w = s.block(static_cast<uint64_t>(e / kCategoricalPerBlock));
      const int j = static_cast<int>(e % kCategoricalPerBlock);
      const double u = unit_from_words(w[2 * j], w[2 * j + 1]);
      int64_t pick;
      if (last_positive < 0) {
        pick =
            std::min<int64_t>(static_cast<int64_t>(u * static_cast<double>(classes)), classes - 1);
      } else {
        // First class whose cumulative mass exceeds the target; rounding can push the
        // target to the total, which belongs to the last class with mass.
        const auto it = std::upper_bound(cdf.begin(), cdf.end(), u * total);
        pick = std::min<int64_t>(it - cdf.begin(), last_positive);
      }
      out[e] = static_cast<Out>(pick);
    }
  }
}

// A uniformly random permutation of [0, n) by Fisher-Yates; step k uses element k's
// blocks, so the permutation is a pure function of the stream.
inline std::vector<int64_t> random_permutation(const RandomStream& s, int64_t n) {
  std::vector<int64_t> perm(n);
  std::iota(perm.begin(), perm.end(), int64_t{0});
  // Step k owns block k (slot 0 first, then its retry lanes).
  for (int64_t i = n - 1, step = 0; i > 0; --i, ++step) {
    const BoundedIntSampler pick(static_cast<uint64_t>(i) + 1);
    const auto w = s.block(static_cast<uint64_t>(step));
    std::swap(perm[i], perm[pick.sample(s, static_cast<uint64_t>(step), 0, w.data())]);
  }
  return perm;
}

// Copies rows of `row_bytes` bytes from `in` to `out` in the order of `perm`.
inline void gather_rows(const std::vector<int64_t>& perm, const void* in, void* out,
                        size_t row_bytes) {
  const auto* src = static_cast<const char*>(in);
  auto* dst = static_cast<char*>(out);
  for (size_t k = 0; k < perm.size(); ++k)
    std::memcpy(dst + k * row_bytes, src + static_cast<size_t>(perm[k]) * row_bytes, row_bytes);
}

}  // namespace loom::cpu

// Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw
// ("Parallel random numbers: as easy as 1, 2, 3", SC 2011). Output block i is a pure
// function of (key, counter i), so any element can be computed independently of the
// others: results never depend on how work is split across threads, and stateless
// ops are plain functions of their seed.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>

namespace loom::cpu {

class Philox4x32 {
 public:
  using Block = std::array<uint32_t, 4>;
  using Key = std::array<uint32_t, 2>;

  explicit constexpr Philox4x32(Key key) : key_(key) {}

  // The 128 output bits for one 128-bit counter.
  constexpr Block operator()(Block counter) const {
    Key key = key_;
    for (int round = 0; round < kRounds; ++round) {
      if (round > 0) {
        key[0] += kWeyl0;
        key[1] += kWeyl1;
      }
      counter = mix(counter, key);
    }
    return counter;
  }

  // The block at a 64-bit position `index` of sub-stream `lane`: the counter layout
  // used by every random kernel (lane selects retries of rejection samplers).
  constexpr Block at(uint64_t index, uint32_t lane = 0) const {
    return (*this)(
        Block{lane, static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32), 0u});
  }

  // Blocks at indices [first, first + count) of lane 0, stored as count * 4 words.
  // Counters run in batches laid out word by word, so each round's multiplies
  // vectorize; the output equals calling at() per index.
  void fill_blocks(uint64_t first, int64_t count, uint32_t* out) const {
    constexpr int kBatch = 16;
    uint32_t c0[kBatch], c1[kBatch], c2[kBatch], c3[kBatch];
    for (int64_t done = 0; done < count; done += kBatch) {
      const int n = static_cast<int>(std::min<int64_t>(kBatch, count - done));
      for (int j = 0; j < kBatch; ++j) {
        const uint64_t index = first + static_cast<uint64_t>(done + j);
        c0[j] = 0;
        c1[j] = static_cast<uint32_t>(index);
        c2[j] = static_cast<uint32_t>(index >> 32);
        c3[j] = 0;
      }
      uint32_t k0 = key_[0], k1 = key_[1];
      for (int round = 0; round < kRounds; ++round) {
        for (int j = 0; j < kBatch; ++j) {
          const uint64_t p0 = uint64_t{kMul0} * c0[j];
          const uint64_t p1 = uint64_t{kMul1} * c2[j];
          const uint32_t y0 = static_cast<uint32_t>(p1 >> 32) ^ c1[j] ^ k0;
          const uint32_t y2 = static_cast<uint32_t>(p0 >> 32) ^ c3[j] ^ k1;
          c0[j] = y0;
          c1[j] = static_cast<uint32_t>(p1);
          c2[j] = y2;
          c3[j] = static_cast<uint32_t>(p0);
        }
        k0 += kWeyl0;
        k1 += kWeyl1;
      }
      for (int j = 0; j < n; ++j) {
        uint32_t* o = out + 4 * (done + j);
        o[0] = c0[j], o[1] = c1[j], o[2] = c2[j], o[3] = c3[j];
      }
    }
  }

  const Key& key() const { return key_; }

 private:
  static constexpr int kRounds = 10;
  static constexpr uint32_t kMul0 = 0xD2511F53u;
  static constexpr uint32_t kMul1 = 0xCD9E8D57u;
  static constexpr uint32_t kWeyl0 = 0x9E3779B9u;  // golden ratio
  static constexpr uint32_t kWeyl1 = 0xBB67AE85u;  // sqrt(3) - 1

  // One round: two 32x32->64 multiplies whose halves are crossed and keyed.
  static constexpr Block mix(const Block& c, const Key& k) {
    const uint64_t p0 = uint64_t{kMul0} * c[0];
    const uint64_t p1 = uint64_t{kMul1} * c[2];
    const auto hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const auto hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    return Block{hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
  }

  Key key_;
};

// The generator for the stream named by two 64-bit seeds. The seeds are scrambled
// through Philox itself, so nearby seed pairs give unrelated streams.
inline Philox4x32 philox_for_seeds(uint64_t seed, uint64_t seed2) {
  const Philox4x32 scramble({static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)});
  const Philox4x32::Block k = scramble(Philox4x32::Block{
      static_cast<uint32_t>(seed2), static_cast<uint32_t>(seed2 >> 32), 0x5EED5EEDu, 0u});
  return Philox4x32({k[0] ^ k[2], k[1] ^ k[3]});
}

}  // namespace loom::cpu

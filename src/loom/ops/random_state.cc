#include "loom/ops/random_state.h"

#include <map>
#include <mutex>
#include <random>
#include <utility>

namespace loom {

namespace {

class RandomStateTable {
 public:
  cpu::RandomStream reserve(int64_t seed, int64_t seed2, uint64_t blocks) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (seed == 0 && seed2 == 0) {
      // Unseeded ops draw from an OS-seeded source, never from a shared stream.
      return {cpu::philox_for_seeds(entropy_(), entropy_()), 0};
    }
    uint64_t& next = next_block_[{seed, seed2}];
    const uint64_t base = next;
    next += blocks;
    return {cpu::philox_for_seeds(static_cast<uint64_t>(seed), static_cast<uint64_t>(seed2)), base};
  }

  void reset() {
    std::lock_guard<std::mutex> lock(mutex_);
    next_block_.clear();
  }

 private:
  std::mutex mutex_;
  std::map<std::pair<int64_t, int64_t>, uint64_t> next_block_;
  std::mt19937_64 entropy_{std::random_device{}()};
};

RandomStateTable& table() {
  static RandomStateTable* t = new RandomStateTable();  // outlives static destructors
  return *t;
}

}  // namespace

cpu::RandomStream reserve_random_blocks(int64_t seed, int64_t seed2, uint64_t blocks) {
  return table().reserve(seed, seed2, blocks);
}

void reset_random_states() {
  table().reset();
}

}  // namespace loom

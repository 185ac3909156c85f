// The engine-side state of stateful random ops: for each (seed, seed2) pair, the next
// Philox block index not yet handed out. Repeated draws with the same seeds therefore
// continue one stream, and reset_random_states() (what tf.random.set_seed triggers)
// makes every stream start over.
#pragma once

#include <cstdint>

#include "loom/kernels/cpu/random_distributions.h"

namespace loom {

// Reserves `blocks` consecutive blocks of the stream named by (seed, seed2). Seeds
// (0, 0) mean "unseeded": a fresh nondeterministic stream for this call alone.
cpu::RandomStream reserve_random_blocks(int64_t seed, int64_t seed2, uint64_t blocks);

// Forgets every stream's position.
void reset_random_states();

}  // namespace loom

// The one piece of random-op state Python drives directly: tf.random.set_seed restarts
// the engine's per-seed streams so a seeded program repeats its sequence.
#include "common.h"

namespace loom::py {

void init_random(nb::module_& m) {
  m.def("reset_random_seeds", &reset_random_seeds,
        "Restarts the stream of every (seed, seed2) pair used by stateful random ops.");
}

}  // namespace loom::py

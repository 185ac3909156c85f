// The random op family: float samplers (random_continuous.cc), integer and categorical
// samplers and shuffles (random_discrete.cc). Generator state lives in random_state.cc.
#include "loom/ops/registry.h"

namespace loom {

void register_random_continuous_ops(OpRegistry& r);
void register_random_discrete_ops(OpRegistry& r);

void register_random_ops(OpRegistry& r) {
  register_random_continuous_ops(r);
  register_random_discrete_ops(r);
}

}  // namespace loom

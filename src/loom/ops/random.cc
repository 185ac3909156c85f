#include "loom/ops/registry.h"

namespace loom {

void register_random_ops(OpRegistry& r) {
  (void)r;
}

}  // namespace loom

#include "loom/ops/registry.h"

namespace loom {

void register_compare_ops(OpRegistry& r) {
  (void)r;
}

}  // namespace loom

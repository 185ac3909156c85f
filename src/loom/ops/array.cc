#include "loom/ops/registry.h"

namespace loom {

void register_array_index_ops(OpRegistry& r);

void register_array_ops(OpRegistry& r) { register_array_index_ops(r); }

}  // namespace loom

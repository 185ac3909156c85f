// Linear algebra ops. Each group registers from its own file.
#include "loom/ops/registry.h"

namespace loom {

void register_matmul_ops(OpRegistry& r);  // linalg_matmul.cc
void register_einsum_ops(OpRegistry& r);  // linalg_einsum.cc

void register_linalg_ops(OpRegistry& r) {
  register_matmul_ops(r);
  register_einsum_ops(r);
}

}  // namespace loom

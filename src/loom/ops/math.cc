// Elementwise math: the family's entry point. Binary arithmetic, unary functions, the
// fused gradient kernels of unary ops, n-ary ops and Cast live in their own files;
// comparisons and logic in compare.cc.
#include "loom/ops/math_families.h"

namespace loom {

void register_math_ops(OpRegistry& r) {
  register_math_binary_ops(r);
  register_math_unary_ops(r);
  register_math_unary_grad_ops(r);
  register_math_nary_ops(r);
  register_cast_ops(r);
}

}  // namespace loom

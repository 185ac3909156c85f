// Evaluation of a bound Einsum equation: per-operand diagonals and sums, then pairwise
// contractions as batched GEMMs, then one final permutation into the output.
#pragma once

#include <cstdint>
#include <vector>

#include "loom/ops/einsum_equation.h"

namespace loom::einsum {

// A dense row-major operand whose dims carry labels; `data` points at the caller's
// tensor or at `storage` for temporaries.
template <class C>
struct Operand {
  std::vector<int> labels;
  std::vector<int64_t> dims;
  const C* data = nullptr;
  std::vector<C> storage;
};

// Writes the result of `b` over `operands` into `out`, dense in the order of b.output.
// C is the compute type: float, double, int32_t or int64_t.
template <class C>
void evaluate(const Binding& b, std::vector<Operand<C>> operands, C* out);

}  // namespace loom::einsum

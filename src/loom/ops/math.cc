// Elementwise arithmetic and transcendental functions.
#include "loom/ops/elementwise_defs.h"

namespace loom {

using namespace dtypes;

void register_math_ops(OpRegistry& r) {
  def_binary<kNumeric.bits()>(r, "AddV2", [](auto x, auto y) { return x + y; }, kCommutative);
  def_binary<kNumeric.bits()>(r, "Sub", [](auto x, auto y) { return x - y; });
  def_binary<kNumeric.bits()>(r, "Mul", [](auto x, auto y) { return x * y; }, kCommutative);
  def_unary<kSigned.bits()>(r, "Neg", [](auto x) { return -x; });
  def_unary<kFloat.bits()>(r, "Exp", [](auto x) { return x.exp(); });
}

}  // namespace loom

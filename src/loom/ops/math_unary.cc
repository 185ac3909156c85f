// Unary elementwise functions and float predicates (is_nan, ...).
#include <unsupported/Eigen/SpecialFunctions>

#include "loom/ops/math_families.h"

namespace loom {

using namespace dtypes;

void register_math_unary_ops(OpRegistry& r) {
  constexpr uint32_t kF = kFloat.bits();
  def_unary<kSigned.bits()>(r, "Neg", [](auto x) { return -x; });
  def_unary<kNumeric.bits()>(r, "Abs", [](auto x) {
    using T = ScalarOf<decltype(x)>;
    if constexpr (std::is_unsigned_v<T>)
      return x;  // already non-negative
    else
      return x.abs();
  });
  def_unary<kNumeric.bits()>(r, "Sign", [](auto x) { return x.sign(); });
  def_unary<kNumeric.bits()>(r, "Square", [](auto x) { return x.square(); });
  def_unary<kF>(r, "Sqrt", [](auto x) { return x.sqrt(); });
  def_unary<kF>(r, "Rsqrt", [](auto x) { return x.rsqrt(); });
  def_unary<kF>(r, "Reciprocal", [](auto x) { return x.inverse(); });
  def_unary<kF>(r, "Exp", [](auto x) { return x.exp(); });
  def_unary<kF>(r, "Expm1", [](auto x) { return x.expm1(); });
  def_unary<kF>(r, "Log", [](auto x) { return x.log(); });
  def_unary<kF>(r, "Log1p", [](auto x) { return x.log1p(); });
  def_unary<kF>(r, "Sin", [](auto x) { return x.sin(); });
  def_unary<kF>(r, "Cos", [](auto x) { return x.cos(); });
  def_unary<kF>(r, "Tan", [](auto x) { return x.tan(); });
  def_unary<kF>(r, "Asin", [](auto x) { return x.asin(); });
  def_unary<kF>(r, "Acos", [](auto x) { return x.acos(); });
  def_unary<kF>(r, "Atan", [](auto x) { return x.atan(); });
  def_unary<kF>(r, "Sinh", [](auto x) { return x.sinh(); });
  def_unary<kF>(r, "Cosh", [](auto x) { return x.cosh(); });
  def_unary<kF>(r, "Tanh", [](auto x) { return x.tanh(); });
  // Eigen's logistic is 1 / (1 + exp(-x)): saturates to 0 or 1, never NaN, for large |x|.
  def_unary<kF>(r, "Sigmoid", [](auto x) { return x.logistic(); });
  def_unary<kF>(r, "Erf", [](auto x) { return x.erf(); });
  // Half to even (rint), as TF and NumPy round; integers are already whole.
  def_unary<kNumeric.bits()>(r, "Round", [](auto x) {
    using T = ScalarOf<decltype(x)>;
    if constexpr (std::is_integral_v<T>)
      return x;
    else
      return x.rint();
  });
  def_unary<kF>(r, "Floor", [](auto x) { return x.floor(); });
  def_unary<kF>(r, "Ceil", [](auto x) { return x.ceil(); });

  def_unary_predicate<kF>(r, "IsNan", [](auto x) { return x.isNaN(); });
  def_unary_predicate<kF>(r, "IsInf", [](auto x) { return x.isInf(); });
  def_unary_predicate<kF>(r, "IsFinite", [](auto x) { return x.isFinite(); });
}

}  // namespace loom

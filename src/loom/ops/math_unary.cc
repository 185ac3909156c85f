// Unary elementwise functions and float predicates (is_nan, ...).
#include <unsupported/Eigen/SpecialFunctions>

#include "loom/ops/math_families.h"

namespace loom {

using namespace dtypes;

void register_math_unary_ops(OpRegistry& r) {
  constexpr uint32_t kF = kFloat.bits();
  // Gradients follow TF's; ones that reuse the forward output y save recomputing f(x).
  def_unary<kSigned.bits()>(r, "Neg", [](auto x) {
    return -x;
  }).gradient(unary_gradient([](const Tensor&, const Tensor&, const Tensor& dy) {
    return negative(dy);
  }));
  def_unary<kNumeric.bits()>(r, "Abs", [](auto x) {
    using T = ScalarOf<decltype(x)>;
    if constexpr (std::is_unsigned_v<T>)
      return x;  // already non-negative
    else
      return x.abs();
  }).gradient(unary_gradient([](const Tensor& x, const Tensor&, const Tensor& dy) {
    return multiply(dy, sign(x));
  }));
  // Piecewise constant: TF answers zeros (not None) for Sign.
  def_unary<kNumeric.bits()>(r, "Sign", [](auto x) {
    return x.sign();
  }).gradient(unary_gradient([](const Tensor& x, const Tensor&, const Tensor&) {
    return zeros_like(x);
  }));
  def_unary<kNumeric.bits()>(r, "Square", [](auto x) {
    return x.square();
  }).gradient(unary_gradient([](const Tensor& x, const Tensor&, const Tensor& dy) {
    return multiply(dy, multiply(x, scalar_as(2.0, x)));
  }));
  // Sqrt, Rsqrt, Reciprocal, Tanh and Sigmoid differentiate through one fused kernel of
  // the output (math_unary_grad.cc).
  auto fused = [](Tensor (*op)(const Tensor&, const Tensor&)) {
    return unary_gradient(
        [op](const Tensor&, const Tensor& y, const Tensor& dy) { return op(y, dy); });
  };
  def_unary<kF>(r, "Sqrt", [](auto x) { return x.sqrt(); }).gradient(fused(sqrt_grad));
  def_unary<kF>(r, "Rsqrt", [](auto x) { return x.rsqrt(); }).gradient(fused(rsqrt_grad));
  def_unary<kF>(r, "Reciprocal", [](auto x) {
    return x.inverse();
  }).gradient(fused(reciprocal_grad));
  def_unary<kF>(r, "Exp", [](auto x) {
    return x.exp();
  }).gradient(unary_gradient([](const Tensor&, const Tensor& y, const Tensor& dy) {
    return multiply(dy, y);
  }));
  def_unary<kF>(r, "Expm1", [](auto x) {
    return x.expm1();
  }).gradient(unary_gradient([](const Tensor& x, const Tensor&, const Tensor& dy) {
    return multiply(dy, exp(x));
  }));
  def_unary<kF>(r, "Log", [](auto x) {
    return x.log();
  }).gradient(unary_gradient([](const Tensor& x, const Tensor&, const Tensor& dy) {
    return divide(dy, x);
  }));
  def_unary<kF>(r, "Log1p", [](auto x) {
    return x.log1p();
  }).gradient(unary_gradient([](const Tensor& x, const Tensor&, const Tensor& dy) {
    return divide(dy, add(x, scalar_as(1.0, x)));
  }));
  def_unary<kF>(r, "Sin", [](auto x) {
    return x.sin();
  }).gradient(unary_gradient([](const Tensor& x, const Tensor&, const Tensor& dy) {
    return multiply(dy, cos(x));
  }));
  def_unary<kF>(r, "Cos", [](auto x) {
    return x.cos();
  }).gradient(unary_gradient([](const Tensor& x, const Tensor&, const Tensor& dy) {
    return multiply(dy, negative(sin(x)));
  }));
  // sec^2 x = 1 + tan^2 x, from the output.
  def_unary<kF>(r, "Tan", [](auto x) {
    return x.tan();
  }).gradient(unary_gradient([](const Tensor&, const Tensor& y, const Tensor& dy) {
    return multiply(dy, add(square(y), scalar_as(1.0, y)));
  }));
  def_unary<kF>(r, "Asin", [](auto x) {
    return x.asin();
  }).gradient(unary_gradient([](const Tensor& x, const Tensor&, const Tensor& dy) {
    return multiply(dy, rsqrt(subtract(scalar_as(1.0, x), square(x))));
  }));
  def_unary<kF>(r, "Acos", [](auto x) {
    return x.acos();
  }).gradient(unary_gradient([](const Tensor& x, const Tensor&, const Tensor& dy) {
    return negative(multiply(dy, rsqrt(subtract(scalar_as(1.0, x), square(x)))));
  }));
  def_unary<kF>(r, "Atan", [](auto x) {
    return x.atan();
  }).gradient(unary_gradient([](const Tensor& x, const Tensor&, const Tensor& dy) {
    return divide(dy, add(square(x), scalar_as(1.0, x)));
  }));
  def_unary<kF>(r, "Sinh", [](auto x) {
    return x.sinh();
  }).gradient(unary_gradient([](const Tensor& x, const Tensor&, const Tensor& dy) {
    return multiply(dy, cosh(x));
  }));
  def_unary<kF>(r, "Cosh", [](auto x) {
    return x.cosh();
  }).gradient(unary_gradient([](const Tensor& x, const Tensor&, const Tensor& dy) {
    return multiply(dy, sinh(x));
  }));
  def_unary<kF>(r, "Tanh", [](auto x) { return x.tanh(); }).gradient(fused(tanh_grad));
  // Eigen's logistic is 1 / (1 + exp(-x)): saturates to 0 or 1, never NaN, for large |x|.
  def_unary<kF>(r, "Sigmoid", [](auto x) { return x.logistic(); }).gradient(fused(sigmoid_grad));
  // d erf(x) = 2 / sqrt(pi) * exp(-x^2).
  def_unary<kF>(r, "Erf", [](auto x) {
    return x.erf();
  }).gradient(unary_gradient([](const Tensor& x, const Tensor&, const Tensor& dy) {
    const Tensor scale = scalar_as(1.1283791670955126, x);
    return multiply(dy, multiply(scale, exp(negative(square(x)))));
  }));
  // Round, Floor and Ceil are piecewise constant; TF gives them no gradient (None).
  // Half to even (rint), as TF and NumPy round; integers are already whole.
  def_unary<kNumeric.bits()>(r, "Round", [](auto x) {
    using T = ScalarOf<decltype(x)>;
    if constexpr (std::is_integral_v<T>)
      return x;
    else
      return x.rint();
  }).traits(kNotDifferentiable);
  def_unary<kF>(r, "Floor", [](auto x) { return x.floor(); }).traits(kNotDifferentiable);
  def_unary<kF>(r, "Ceil", [](auto x) { return x.ceil(); }).traits(kNotDifferentiable);

  def_unary_predicate<kF>(r, "IsNan", [](auto x) { return x.isNaN(); });
  def_unary_predicate<kF>(r, "IsInf", [](auto x) { return x.isInf(); });
  def_unary_predicate<kF>(r, "IsFinite", [](auto x) { return x.isFinite(); });
}

}  // namespace loom

// Binary arithmetic with broadcasting: + - * /, floor division and modulo, pow, min/max.
#include <cmath>

#include "loom/ops/math_families.h"

namespace loom {

using namespace dtypes;

namespace {

// -x with two's-complement wrap-around (INT_MIN stays INT_MIN) and no undefined behaviour.
template <class T>
T wrapping_negate(T x) {
  return static_cast<T>(std::make_unsigned_t<T>(0) - static_cast<std::make_unsigned_t<T>>(x));
}

// C++ (truncating) division. x / -1 is special-cased: INT_MIN / -1 traps on x86.
template <class T>
T truncating_div(T x, T y) {
  if constexpr (std::is_signed_v<T>)
    if (y == T(-1)) return wrapping_negate(x);
  return static_cast<T>(x / y);
}

template <class T>
T floor_div_int(T x, T y) {
  if constexpr (std::is_signed_v<T>) {
    if (y == T(-1)) return wrapping_negate(x);
    const T q = static_cast<T>(x / y), r = static_cast<T>(x % y);
    return (r != 0 && ((r < 0) != (y < 0))) ? static_cast<T>(q - 1) : q;
  } else {
    return static_cast<T>(x / y);
  }
}

// Python-style modulo: the result takes the divisor's sign.
template <class T>
T floor_mod_int(T x, T y) {
  if constexpr (std::is_signed_v<T>) {
    if (y == T(-1)) return T(0);
    const T r = static_cast<T>(x % y);
    return (r != 0 && ((r < 0) != (y < 0))) ? static_cast<T>(r + y) : r;
  } else {
    return static_cast<T>(x % y);
  }
}

template <class T>
T floor_mod_float(T x, T y) {
  using C = ComputeType<T>;
  const C a = static_cast<C>(x), b = static_cast<C>(y);
  C r = std::fmod(a, b);
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return static_cast<T>(r);
}

// Exponentiation by squaring in 64-bit unsigned arithmetic: wraps like the narrow type
// would, without signed-overflow undefined behaviour. `e` is known non-negative.
template <class T>
T int_pow(T base, T e) {
  uint64_t result = 1, b = static_cast<uint64_t>(base), n = static_cast<uint64_t>(e);
  while (n != 0) {
    if (n & 1) result *= b;
    b *= b;
    n >>= 1;
  }
  return static_cast<T>(result);
}

template <class T>
void check_nonzero_divisor(const Tensor& y, const char* op) {
  if constexpr (std::is_integral_v<T>) {
    if ((cpu::ConstVec<T>(y.data<T>(), y.num_elements()) == T(0)).any())
      raise(ErrorCode::kInvalidArgument, "[", op, "] Integer division by zero");
  }
}

template <class T>
void check_nonnegative_exponent(const Tensor& y, const char* op) {
  if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    if ((cpu::ConstVec<T>(y.data<T>(), y.num_elements()) < T(0)).any())
      raise(ErrorCode::kInvalidArgument, "[", op,
            "] Integers to negative integer powers are not allowed");
  }
}

// A binary op whose kernel validates the right operand (divisor, exponent) before any
// output is written. `Check` is a template functor: check.operator()<T>(y, op).
template <uint32_t Types, class Check, class F>
OpDef& def_checked_binary(OpRegistry& r, const char* name, Check check, F f) {
  return def_binary<Types>(r, name, f).kernel([check, f](KernelContext& ctx) {
    visit_dtype<Types>(ctx.input(0).dtype(), ctx.name(), [&]<class T>() {
      if (ctx.output_type(0).shape.num_elements() != 0)
        check.template operator()<T>(ctx.input(1), ctx.name());
      cpu::binary_loop<T, T>(ctx.input(0), ctx.input(1), ctx.output(0), f);
    });
  });
}

constexpr auto kDivisorCheck = []<class T>(const Tensor& y, const char* op) {
  check_nonzero_divisor<T>(y, op);
};
constexpr auto kExponentCheck = []<class T>(const Tensor& y, const char* op) {
  check_nonnegative_exponent<T>(y, op);
};

// Gradients of the binary ops. They return gradients in the broadcast (output) shape:
// the engine sums each back to its input's shape (the ops are kElementwise). Integer
// calls get none, and work is skipped for inputs whose gradient nobody wants.
bool float_call(const GradContext& ctx) {
  return is_differentiable(ctx.input(0).dtype());
}

std::vector<Tensor> add_grad(GradContext& ctx) {
  if (!float_call(ctx)) return {};
  return {ctx.grad(0), ctx.grad(0)};
}

std::vector<Tensor> sub_grad(GradContext& ctx) {
  if (!float_call(ctx)) return {};
  return {ctx.grad(0), ctx.needs(1) ? negative(ctx.grad(0)) : Tensor()};
}

std::vector<Tensor> mul_grad(GradContext& ctx) {
  if (!float_call(ctx)) return {};
  const Tensor& g = ctx.grad(0);
  return {ctx.needs(0) ? multiply(g, ctx.input(1)) : Tensor(),
          ctx.needs(1) ? multiply(ctx.input(0), g) : Tensor()};
}

// z = x / y: dx = g / y, dy = -g x / y^2 = -(g / y) z, reusing the output.
std::vector<Tensor> div_grad(GradContext& ctx) {
  if (!float_call(ctx)) return {};
  const Tensor gx = divide(ctx.grad(0), ctx.input(1));
  return {gx, ctx.needs(1) ? negative(multiply(gx, ctx.output(0))) : Tensor()};
}

// x mod y = x - floor(x / y) y: dx = g, dy = -floor(x / y) g.
std::vector<Tensor> floor_mod_grad(GradContext& ctx) {
  if (!float_call(ctx)) return {};
  const Tensor& g = ctx.grad(0);
  Tensor gy;
  if (ctx.needs(1)) gy = multiply(g, negative(floordiv(ctx.input(0), ctx.input(1))));
  return {g, gy};
}

// z = x^y: dx = g y x^(y-1); dy = g z log(x) where x > 0 and 0 elsewhere (as TF: no
// NaN from log at x <= 0, where the real power has no y-derivative to speak of).
std::vector<Tensor> pow_grad(GradContext& ctx) {
  if (!float_call(ctx)) return {};
  const Tensor &x = ctx.input(0), &y = ctx.input(1), &g = ctx.grad(0);
  Tensor gx, gy;
  if (ctx.needs(0)) gx = multiply(multiply(g, y), pow(x, subtract(y, scalar_as(1.0, y))));
  if (ctx.needs(1)) {
    const Tensor positive = greater(x, scalar_as(0.0, x));
    const Tensor safe_x = where(positive, x, scalar_as(1.0, x));
    const Tensor log_x = where(positive, log(safe_x), scalar_as(0.0, x));
    gy = multiply(multiply(g, ctx.output(0)), log_x);
  }
  return {gx, gy};
}

// Ties go to x (x >= y for Maximum, x <= y for Minimum), as in TF.
template <bool kMax>
std::vector<Tensor> min_max_grad(GradContext& ctx) {
  if (!float_call(ctx)) return {};
  const Tensor &x = ctx.input(0), &y = ctx.input(1), &g = ctx.grad(0);
  const Tensor x_wins = kMax ? greater_equal(x, y) : less_equal(x, y);
  const Tensor zero = scalar_as(0.0, g);
  return {ctx.needs(0) ? where(x_wins, g, zero) : Tensor(),
          ctx.needs(1) ? where(x_wins, zero, g) : Tensor()};
}

std::vector<Tensor> squared_difference_grad(GradContext& ctx) {
  if (!float_call(ctx)) return {};
  const Tensor &x = ctx.input(0), &y = ctx.input(1);
  const Tensor gx = multiply(multiply(ctx.grad(0), scalar_as(2.0, x)), subtract(x, y));
  return {gx, ctx.needs(1) ? negative(gx) : Tensor()};
}

// z = atan2(a, b) = atan(a / b): da = g b / (a^2 + b^2), db = -g a / (a^2 + b^2).
std::vector<Tensor> atan2_grad(GradContext& ctx) {
  if (!float_call(ctx)) return {};
  const Tensor &a = ctx.input(0), &b = ctx.input(1);
  const Tensor scaled = divide(ctx.grad(0), add(square(a), square(b)));
  return {ctx.needs(0) ? multiply(b, scaled) : Tensor(),
          ctx.needs(1) ? negative(multiply(a, scaled)) : Tensor()};
}

}  // namespace

void register_math_binary_ops(OpRegistry& r) {
  def_binary<kNumeric.bits()>(
      r, "AddV2", [](auto x, auto y) { return x + y; }, kCommutative)
      .gradient(add_grad);
  def_binary<kNumeric.bits()>(r, "Sub", [](auto x, auto y) { return x - y; }).gradient(sub_grad);
  def_binary<kNumeric.bits()>(
      r, "Mul", [](auto x, auto y) { return x * y; }, kCommutative)
      .gradient(mul_grad);
  def_binary<kFloat.bits()>(r, "RealDiv", [](auto x, auto y) { return x / y; }).gradient(div_grad);

  // TF's Div: true division for floats, truncating (C++) division for integers.
  def_checked_binary<kNumeric.bits()>(r, "Div", kDivisorCheck, [](auto x, auto y) {
    using T = ScalarOf<decltype(x)>;
    if constexpr (std::is_integral_v<T>)
      return x.binaryExpr(y, [](T a, T b) { return truncating_div(a, b); });
    else
      return x / y;
  }).gradient(div_grad);
  // Piecewise constant in both operands: TF gives FloorDiv no gradient (None).
  def_checked_binary<kNumeric.bits()>(r, "FloorDiv", kDivisorCheck, [](auto x, auto y) {
    using T = ScalarOf<decltype(x)>;
    if constexpr (std::is_integral_v<T>)
      return x.binaryExpr(y, [](T a, T b) { return floor_div_int(a, b); });
    else
      return (x / y).floor();
  }).traits(kNotDifferentiable);
  def_checked_binary<kNumeric.bits()>(r, "FloorMod", kDivisorCheck, [](auto x, auto y) {
    using T = ScalarOf<decltype(x)>;
    if constexpr (std::is_integral_v<T>)
      return x.binaryExpr(y, [](T a, T b) { return floor_mod_int(a, b); });
    else
      return x.binaryExpr(y, [](T a, T b) { return floor_mod_float(a, b); });
  }).gradient(floor_mod_grad);
  def_checked_binary<kNumeric.bits()>(r, "Pow", kExponentCheck, [](auto x, auto y) {
    using T = ScalarOf<decltype(x)>;
    if constexpr (std::is_integral_v<T>)
      return x.binaryExpr(y, [](T a, T b) { return int_pow(a, b); });
    else
      return Eigen::pow(x, y);
  }).gradient(pow_grad);

  // NaN wins, as in NumPy and TF. The 16-bit float types use a scalar form: Eigen's
  // packet min/max for them trips GCC 12 -Wuninitialized false positives.
  def_binary<kNumeric.bits()>(
      r, "Maximum",
      [](auto x, auto y) {
        using T = ScalarOf<decltype(x)>;
        if constexpr (kIsHalfType<T>)
          return x.binaryExpr(y, [](T a, T b) { return (a != a || a > b) ? a : b; });
        else
          return x.binaryExpr(y, Eigen::internal::scalar_max_op<T, T, Eigen::PropagateNaN>());
      },
      kCommutative)
      .gradient(min_max_grad<true>);
  def_binary<kNumeric.bits()>(
      r, "Minimum",
      [](auto x, auto y) {
        using T = ScalarOf<decltype(x)>;
        if constexpr (kIsHalfType<T>)
          return x.binaryExpr(y, [](T a, T b) { return (a != a || a < b) ? a : b; });
        else
          return x.binaryExpr(y, Eigen::internal::scalar_min_op<T, T, Eigen::PropagateNaN>());
      },
      kCommutative)
      .gradient(min_max_grad<false>);
  def_binary<kSigned.bits()>(
      r, "SquaredDifference", [](auto x, auto y) { return (x - y).square(); }, kCommutative)
      .gradient(squared_difference_grad);
  def_binary<kFloat.bits()>(r, "Atan2", [](auto x, auto y) {
    using T = ScalarOf<decltype(x)>;
    return x.binaryExpr(y, [](T a, T b) {
      using C = ComputeType<T>;
      return static_cast<T>(std::atan2(static_cast<C>(a), static_cast<C>(b)));
    });
  }).gradient(atan2_grad);
}

}  // namespace loom
